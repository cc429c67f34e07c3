export * from './context.ts';
export { Hub } from './hub.ts';
