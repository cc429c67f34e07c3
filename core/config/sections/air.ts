// Air-quality ingest settings: pull sources, plausibility limits and the demo feed.
import { z } from 'zod';
import { documented, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

const fieldPath = z.string().min(1).max(200);

/** One pull source. `stations` maps the source's own location/sensor ids to our station ids. */
export const airSourceSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, { error: 'expected a short lower-case name' }),
  format: z.enum(['openaq', 'sensor.community', 'purpleair', 'mapping']),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  intervalSeconds: z.number().positive().default(60),
  timeoutSeconds: z.number().positive().default(10),
  /** Extra request headers, e.g. {"X-API-Key": "..."} for OpenAQ and PurpleAir. */
  headers: z.record(z.string(), z.string()).default({}),
  stations: z.record(z.string(), z.string()).default({}),
  /** For format `mapping`: where the items are and which field holds what (dotted paths). */
  mapping: z
    .object({
      items: z.string().max(200).default(''),
      stationId: fieldPath,
      time: fieldPath,
      timeFormat: z.enum(['iso', 'epoch-s', 'epoch-ms']).default('iso'),
      fields: z.record(z.string(), fieldPath),
      units: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
});
export type AirSource = z.output<typeof airSourceSchema>;

const sourcesJson = optionalString.transform((v, ctx) => {
  if (v === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a JSON array of air sources' });
    return z.NEVER;
  }
  const parsed = z.array(airSourceSchema).safeParse(json);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: `[${i.path.join('.')}] ${i.message}` });
    }
    return z.NEVER;
  }
  for (const s of parsed.data) {
    if (s.format === 'mapping' && !s.mapping) {
      ctx.addIssue({
        code: 'custom',
        message: `source ${s.name}: format "mapping" needs a "mapping" object`,
      });
    }
  }
  return parsed.data;
});

/** Readings (or lines) per push request: bounds the memory one request can take. */
const ingestMaxItems = optionalString.pipe(
  z
    .string()
    .regex(/^\d+$/, { error: 'expected an integer between 1 and 1000000 (readings per push request)' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, { error: 'expected an integer between 1 and 1000000 (readings per push request)' })
        .max(1_000_000, { error: 'expected an integer between 1 and 1000000 (readings per push request)' }),
    )
    .optional()
    .transform((v) => v ?? 10_000),
);

export const airVariables = {
  CITYSTREAM_AIR_SOURCES: documented(sourcesJson, {
    description: 'pull sources polled for readings (see docs/ingest.md)',
    type: 'JSON array of `{name, format, url, ...}`',
    default: 'none',
  }),
  CITYSTREAM_AIR_MAX_FUTURE_SECONDS: positiveInt(300, 'how far ahead of our clock a reading may be'),
  CITYSTREAM_AIR_MAX_AGE_HOURS: positiveInt(168, 'how old a reading may be to be accepted'),
  CITYSTREAM_AIR_DEMO_INTERVAL_SECONDS: positiveInt(5, 'how often the demo feed is polled'),
  CITYSTREAM_INGEST_MAX_ITEMS: documented(ingestMaxItems, {
    description: 'readings (or lines) one push request may carry; more is refused with 413',
    type: 'integer, 1-1000000',
    default: '`10000`',
  }),
};

export type AirVariables = Parsed<typeof airVariables>;

export interface AirConfig {
  sources: AirSource[];
  maxFutureMs: number;
  maxAgeMs: number;
  demoIntervalSeconds: number;
  /** Readings (NDJSON lines, array items, line-protocol lines) per push request; 413 beyond. */
  ingestMaxItems: number;
}

/** Header values (API keys of OpenAQ, PurpleAir) are masked wherever the config is logged. */
function maskedWhenLogged(source: AirSource): AirSource {
  const headers = Object.fromEntries(Object.keys(source.headers).map((k) => [k, '***']));
  return Object.defineProperty(source, 'toJSON', {
    value: () => ({ ...source, headers }),
    enumerable: false,
  });
}

export function airSection(v: AirVariables): AirConfig {
  return {
    sources: v.CITYSTREAM_AIR_SOURCES.map(maskedWhenLogged),
    maxFutureMs: v.CITYSTREAM_AIR_MAX_FUTURE_SECONDS * 1000,
    maxAgeMs: v.CITYSTREAM_AIR_MAX_AGE_HOURS * 3_600_000,
    demoIntervalSeconds: v.CITYSTREAM_AIR_DEMO_INTERVAL_SECONDS,
    ingestMaxItems: v.CITYSTREAM_INGEST_MAX_ITEMS,
  };
}
