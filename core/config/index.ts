export { loadConfig, redactConfig, ConfigError, type Env, type ConfigProblem } from './load.ts';
export { type Config, SECRET_VARIABLES } from './schema.ts';
export { ROLES, type Role } from './sections/process.ts';
export type { BusConfig } from './sections/bus.ts';
export type { InfluxConfig } from './sections/stores.ts';
export { DEV_JWT_SECRET, type AuthConfig, type ApiKey } from './sections/auth.ts';
export { DEV_WEBHOOK_SECRET, type ApiConfig, type HttpPolicy } from './sections/api.ts';
export type { PushConfig } from './sections/push.ts';
