export * from './problem.ts';
export * from './readiness.ts';
export * from './auth.ts';
export { createHttpServer, type HttpServer, type HttpServerOptions } from './server.ts';
export * from './idempotency.ts';
export { DEFAULT_POLICY } from './security.ts';
export { admitLookup, LookupLimiter, LOOKUP_COST, type LookupCharge } from './lookup-limit.ts';
export { assertNoNul, multipartProblem, MAX_JSON_DEPTH } from './input.ts';
export { appendOnRequest } from './route-hooks.ts';
