import type { z } from 'zod';
import { httpUrl, optionalString, urlWithProtocols } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const storeVariables = {
  INFLUX_URL: httpUrl('the InfluxDB 2.x base URL, e.g. http://127.0.0.1:8086'),
  INFLUX_TOKEN: optionalString,
  INFLUX_ORG: optionalString,
  INFLUX_BUCKET: optionalString,
  DATABASE_URL: urlWithProtocols(/^postgres(ql)?$/, 'postgres://user:password@host:5432/database'),
  MQTT_URL: urlWithProtocols(/^(mqtts?|wss?|tcp)$/, 'mqtt://127.0.0.1:1883'),
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
