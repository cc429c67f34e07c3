export * from './tokens.ts';
export * from './api-keys.ts';
