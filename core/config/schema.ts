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
import { processVariables, ROLES, type Role } from './sections/process.ts';
import { influxSection, storeVariables, type InfluxConfig } from './sections/stores.ts';
import { streamSection, streamVariables, type StreamConfig } from './sections/stream.ts';

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
  /** Demo cameras, stations and seed data; on by default when nothing external is configured. */
  demo: boolean;
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
  const externals = [v.KAFKA_BROKERS, v.INFLUX_URL, v.DATABASE_URL, v.MQTT_URL];
  const demo = v.CITYSTREAM_DEMO ?? externals.every((x) => x === undefined);
  const instanceId =
    v.CITYSTREAM_INSTANCE_ID ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`;
  return {
    roles: v.CITYSTREAM_ROLES ? [...new Set(v.CITYSTREAM_ROLES)] : [...ROLES],
    http: { host: v.CITYSTREAM_HTTP_HOST ?? '0.0.0.0', port: v.CITYSTREAM_HTTP_PORT },
    dataDir: resolve(v.CITYSTREAM_DATA_DIR ?? './data'),
    logLevel: v.CITYSTREAM_LOG_LEVEL ?? 'info',
    instanceId,
    demo,
    shutdownTimeoutMs: v.CITYSTREAM_SHUTDOWN_TIMEOUT_MS,
    bus: busSection(v, instanceId),
    influx: influxSection(v, ctx),
    database: v.DATABASE_URL ? { url: v.DATABASE_URL } : null,
    mqtt: v.MQTT_URL ? { url: v.MQTT_URL } : null,
    auth: authSection(v, demo, ctx),
    stream: streamSection(v),
    api: apiSection(v),
    air: airSection(v),
    cameras: camerasSection(v),
  };
});
