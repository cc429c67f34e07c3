export * from './envelope.ts';
export * from './catalog.ts';
export * from './validate.ts';
export * from './air.ts';
export * from './cameras.ts';
export * from './services.ts';
export * from './dlq.ts';
export * from './keys.ts';
