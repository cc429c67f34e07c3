// From whatever a source or integrator sent to one normalised reading, or the precise reasons it
// was refused: wrong types, unknown station, values out of physical range, clocks too far off,
// times no store can hold.
import { z } from 'zod';
import {
  AQI_POLLUTANTS,
  STATION_ID_PATTERN,
  stationId as stationIdSchema,
  type AirReading,
} from '../../core/events/air.ts';
import { timeProblem } from '../../core/timeseries/refused.ts';
import { parseUnit, toStandardUnit } from '../../core/domain/units.ts';
import type { Station } from '../../core/domain/stations.ts';
import { NUMBER_REASON, quickRefusal, TIME_REASON } from './refusal.ts';

export const MEASURES = [...AQI_POLLUTANTS, 'temperature', 'humidity'] as const;
export type Measure = (typeof MEASURES)[number];

/** Plausible limits after conversion; beyond them a value is a sensor or unit fault, not air. */
export const RANGES: Record<Measure, readonly [number, number]> = {
  pm25: [0, 1000], // µg/m³
  pm10: [0, 2000], // µg/m³
  o3: [0, 2000], // µg/m³
  no2: [0, 4000], // µg/m³
  so2: [0, 10000], // µg/m³
  co: [0, 200], // mg/m³
  temperature: [-60, 70], // °C
  humidity: [0, 100], // %
};

export interface Rejection {
  field: string;
  reason: string;
}

export interface NormaliseOptions {
  now: number;
  /** A reading more than this far in the future is refused (a sensor clock running ahead). */
  maxFutureMs: number;
  /** A reading older than this is refused (the topic and the store would not keep it anyway). */
  maxAgeMs: number;
  station: (id: string) => Station | undefined;
  origin: string;
}

const finite = z.number({ error: NUMBER_REASON }).finite({ error: 'expected a finite number' });

const rawReading = z.object({
  stationId: stationIdSchema,
  time: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], { error: TIME_REASON }),
  pm25: finite.optional(),
  pm10: finite.optional(),
  o3: finite.optional(),
  no2: finite.optional(),
  so2: finite.optional(),
  co: finite.optional(),
  temperature: finite.optional(),
  humidity: finite.optional(),
  /** Per-pollutant unit when not the default (µg/m³; CO mg/m³): ppb, ppm, µg/m³, mg/m³. */
  units: z.record(z.string(), z.string()).optional(),
});

type RawReading = z.output<typeof rawReading>;
const RAW_NUMBERS: ReadonlySet<string> = new Set(MEASURES);
/** The pattern z.iso.datetime({ offset: true }) applies. */
const DATETIME = z.regexes.datetime({ offset: true });

/**
 * `input` itself when `rawReading` would accept it with nothing to convert (the common case:
 * plain numbers, no `units`); null leaves it to zod, which also words the refusal. Keys the
 * schema does not know are ignored here as zod strips them: only the known ones are read.
 */
function plainReading(input: Record<string, unknown>): RawReading | null {
  const { stationId, time } = input;
  if (typeof stationId !== 'string' || !STATION_ID_PATTERN.test(stationId)) return null;
  if (
    typeof time === 'number'
      ? !Number.isSafeInteger(time) || time < 0
      : typeof time !== 'string' || !DATETIME.test(time)
  )
    return null;
  if (input.units !== undefined) return null;
  for (const k in input) {
    if (RAW_NUMBERS.has(k) && !Number.isFinite(input[k])) return null;
  }
  return input as RawReading;
}

/** Why a reading naming this station is refused: unknown (or deleted), or disabled by staff. */
function stationRefusal(id: string, station: Station | undefined): string | null {
  if (!station) return `unknown station ${id}`;
  if (!station.enabled) return `station ${id} is disabled`;
  return null;
}

/**
 * The raw reading, or why it is malformed: plain readings and the common refusals are judged by
 * hand (plainReading, refusal.ts), the rest by zod, which words them the same way.
 */
function checkRaw(
  input: Record<string, unknown>,
): { ok: true; raw: RawReading } | { ok: false; rejections: Rejection[] } {
  const plain = plainReading(input);
  if (plain) return { ok: true, raw: plain };
  const quick = quickRefusal(input, DATETIME);
  if (quick) return { ok: false, rejections: quick };
  const parsed = rawReading.safeParse(input);
  if (parsed.success) return { ok: true, raw: parsed.data };
  return {
    ok: false,
    rejections: parsed.error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message })),
  };
}

export type NormaliseResult = { ok: true; reading: AirReading } | { ok: false; rejections: Rejection[] };

export function normaliseReading(input: unknown, o: NormaliseOptions): NormaliseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, rejections: [{ field: '', reason: 'expected a JSON object (one reading)' }] };
  }
  const checked = checkRaw(input as Record<string, unknown>);
  if (!checked.ok) {
    const rejections = checked.rejections;
    const id = (input as { stationId?: unknown }).stationId;
    if (typeof id === 'string' && !rejections.some((r) => r.field === 'stationId')) {
      const refusal = stationRefusal(id, o.station(id));
      if (refusal) rejections.unshift({ field: 'stationId', reason: refusal });
    }
    return { ok: false, rejections };
  }
  const raw = checked.raw;
  const rejections: Rejection[] = [];
  const station = o.station(raw.stationId);
  const refusal = stationRefusal(raw.stationId, station);
  if (refusal) rejections.push({ field: 'stationId', reason: refusal });

  const time = typeof raw.time === 'number' ? raw.time : Date.parse(raw.time);
  // First: a time no store (nor a JS Date) can hold would otherwise fail far from here, in the sink.
  const unstorable = timeProblem(time);
  if (unstorable) {
    rejections.push({ field: 'time', reason: `${raw.time} is ${unstorable}` });
  } else if (time > o.now + o.maxFutureMs) {
    rejections.push({
      field: 'time',
      reason: `${new Date(time).toISOString()} is ${Math.round((time - o.now) / 1000)} s in the future (clock skew limit ${o.maxFutureMs / 1000} s)`,
    });
  } else if (time < o.now - o.maxAgeMs) {
    rejections.push({
      field: 'time',
      reason: `${new Date(time).toISOString()} is older than the ${Math.round(o.maxAgeMs / 3_600_000)} h accepted`,
    });
  }

  const values: Partial<Record<Measure, number>> = {};
  let measured = 0;
  const units = raw.units;
  for (const m of MEASURES) {
    let v = raw[m];
    if (v === undefined) continue;
    const unitName = units === undefined ? undefined : units[m];
    if (unitName !== undefined && m !== 'temperature' && m !== 'humidity') {
      const unit = parseUnit(unitName);
      const converted = unit ? toStandardUnit(m, v, unit) : null;
      if (converted === null) {
        rejections.push({
          field: `units.${m}`,
          reason: `unit ${JSON.stringify(unitName)} does not apply to ${m}`,
        });
        continue;
      }
      v = converted;
    }
    const range = RANGES[m];
    if (v < range[0] || v > range[1]) {
      rejections.push({ field: m, reason: `${v} is outside the plausible range ${range[0]}..${range[1]}` });
      continue;
    }
    values[m] = Math.round(v * 1000) / 1000;
    measured++;
  }
  if (measured === 0 && rejections.length === 0) {
    rejections.push({ field: '', reason: `no measurement: expected at least one of ${MEASURES.join(', ')}` });
  }
  if (rejections.length > 0 || !station) return { ok: false, rejections };
  return {
    ok: true,
    reading: {
      stationId: station.id,
      time: new Date(time).toISOString(),
      ...values,
      city: station.city,
      origin: o.origin,
    },
  };
}
