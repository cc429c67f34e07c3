// The one schema for every setting (docs/architecture.md, "Configuration"). Sections live in ./sections; each adds its
// variables here and its typed slice to Config. Nothing else in the code base reads process.env.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { apiSection, apiVariables, type ApiConfig } from './sections/api.ts';
import { airSection, airVariables, type AirConfig } from './sections/air.ts';
import { authSection, authVariables, type AuthConfig } from './sections/auth.ts';
import { busSection, busVariables, type BusConfig } from './sections/bus.ts';
import { camerasSection, cameraVariables, type CamerasConfig } from './sections/cameras.ts';
import { decideDemo } from './sections/demo.ts';
import { processVariables, ROLES, type Role } from './sections/process.ts';
import { influxSection, storeVariables, type InfluxConfig } from './sections/stores.ts';
import { streamSection, streamVariables, type StreamConfig } from './sections/stream.ts';

/** Each section's variables and the roles that read them, in the order docs/configuration.md lists them. */
export const sections = [
  { name: 'process', roles: 'every role', variables: processVariables },
  { name: 'bus', roles: 'every role', variables: busVariables },
  { name: 'stores', roles: 'every role', variables: storeVariables },
  { name: 'auth', roles: 'every role', variables: authVariables },
  { name: 'stream', roles: 'stream', variables: streamVariables },
  { name: 'api', roles: 'api', variables: apiVariables },
  { name: 'air', roles: 'ingest', variables: airVariables },
  { name: 'cameras', roles: 'ingest', variables: cameraVariables },
] as const;

export const variables = {
  ...processVariables,
  ...busVariables,
  ...storeVariables,
  ...authVariables,
  ...streamVariables,
  ...apiVariables,
  ...airVariables,
  ...cameraVariables,
};

export type VariableName = keyof typeof variables;

/** Variables whose values must never be printed. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'INFLUX_TOKEN',
  'CITYSTREAM_JWT_SECRET',
  'CITYSTREAM_API_KEYS',
  'CITYSTREAM_PAYMENT_WEBHOOK_SECRET',
  'CITYSTREAM_AIR_SOURCES',
]);

export interface Config {
  roles: Role[];
  http: { host: string; port: number };
  dataDir: string;
  logLevel: string;
  instanceId: string;
  /**
   * Demo cameras, stations, seed data and the demo sign-in; on only with CITYSTREAM_DEMO=1 or when
   * no server, secret or key is configured (sections/demo.ts).
   */
  demo: boolean;
  /** Why demo is on or off, logged at start-up. */
  demoReason: string;
  shutdownTimeoutMs: number;
  bus: BusConfig;
  influx: InfluxConfig | null;
  /** null: PGlite under the data dir. */
  database: { url: string } | null;
  mqtt: { url: string } | null;
  auth: AuthConfig;
  stream: StreamConfig;
  api: ApiConfig;
  air: AirConfig;
  cameras: CamerasConfig;
}

export const configSchema = z.object(variables).transform((v, ctx): Config => {
  const { on: demo, reason: demoReason } = decideDemo(v.CITYSTREAM_DEMO, v);
  const roles = v.CITYSTREAM_ROLES ? [...new Set(v.CITYSTREAM_ROLES)] : [...ROLES];
  const instanceId =
    v.CITYSTREAM_INSTANCE_ID ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`;
  return {
    roles,
    http: { host: v.CITYSTREAM_HTTP_HOST ?? '0.0.0.0', port: v.CITYSTREAM_HTTP_PORT },
    dataDir: resolve(v.CITYSTREAM_DATA_DIR ?? './data'),
    logLevel: v.CITYSTREAM_LOG_LEVEL ?? 'info',
    instanceId,
    demo,
    demoReason,
    shutdownTimeoutMs: v.CITYSTREAM_SHUTDOWN_TIMEOUT_MS,
    bus: busSection(v, instanceId),
    influx: influxSection(v, ctx),
    database: v.DATABASE_URL ? { url: v.DATABASE_URL } : null,
    mqtt: v.MQTT_URL ? { url: v.MQTT_URL } : null,
    auth: authSection(v, demo, ctx),
    stream: streamSection(v, roles, Boolean(v.KAFKA_BROKERS), ctx),
    api: apiSection(v),
    air: airSection(v),
    cameras: camerasSection(v),
  };
});
