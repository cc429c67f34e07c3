import type { z } from 'zod';
import { documented, httpUrl, optionalString, urlWithProtocols } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const storeVariables = {
  INFLUX_URL: documented(httpUrl('the InfluxDB 2.x base URL, e.g. http://127.0.0.1:8086'), {
    default: 'the embedded time-series store (in the database)',
  }),
  INFLUX_TOKEN: documented(optionalString, {
    description: 'InfluxDB API token',
    default: 'required when `INFLUX_URL` is set',
  }),
  INFLUX_ORG: documented(optionalString, {
    description: 'InfluxDB organisation',
    default: 'required when `INFLUX_URL` is set',
  }),
  INFLUX_BUCKET: documented(optionalString, {
    description: 'InfluxDB bucket for readings and AQI',
    default: 'required when `INFLUX_URL` is set',
  }),
  DATABASE_URL: documented(
    urlWithProtocols(/^postgres(ql)?$/, 'postgres://user:password@host:5432/database'),
    {
      description: 'PostgreSQL for city services, stations and the outbox',
      default: 'PGlite under the data dir',
    },
  ),
  MQTT_URL: documented(urlWithProtocols(/^(mqtts?|wss?|tcp)$/, 'mqtt://127.0.0.1:1883'), {
    description: 'MQTT broker for integrator air pushes',
    default: 'no MQTT ingest',
    roles: 'ingest',
  }),
};

export type StoreVariables = Parsed<typeof storeVariables>;

export interface InfluxConfig {
  url: string;
  token: string;
  org: string;
  bucket: string;
}

export function influxSection(v: StoreVariables, ctx: z.RefinementCtx): InfluxConfig | null {
  if (!v.INFLUX_URL) return null;
  const missing = (['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'] as const).filter((k) => !v[k]);
  for (const k of missing) {
    ctx.addIssue({ code: 'custom', path: [k], message: 'required when INFLUX_URL is set' });
  }
  if (missing.length > 0) return null;
  return { url: v.INFLUX_URL, token: v.INFLUX_TOKEN!, org: v.INFLUX_ORG!, bucket: v.INFLUX_BUCKET! };
}
