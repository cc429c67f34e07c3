// From whatever a source or integrator sent to one normalised reading, or the precise reasons it
// was refused: wrong types, unknown station, values out of physical range, clocks too far off,
// times no store can hold.
import { z } from 'zod';
import {
  AQI_POLLUTANTS,
  STATION_ID_PATTERN,
  STATION_ID_REASON,
  stationId as stationIdSchema,
  type AirReading,
} from '../../core/events/air.ts';
import { timeProblem } from '../../core/timeseries/refused.ts';
import { parseUnit, toStandardUnit } from '../../core/domain/units.ts';
import type { Station } from '../../core/domain/stations.ts';

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

const NUMBER_REASON = 'expected a number';
const TIME_REASON = 'expected an ISO 8601 time with offset (e.g. 2026-11-24T08:00:00Z) or epoch milliseconds';

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
/** The pattern z.iso.datetime({ offset: true }) applies. */
const DATETIME = z.regexes.datetime({ offset: true });

/** zod's name for a scalar it did not expect; undefined for what is left to zod. */
function scalarName(v: unknown): string | undefined {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  // zod names NaN and ±Infinity by value
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : undefined;
  if (typeof v === 'boolean') return 'boolean';
  return undefined;
}

/**
 * `rawReading` judged by hand for the common cases, in zod's words and order, without zod: [] when
 * zod would accept the item with nothing to convert (plain numbers, no `units`), the problems when
 * it would refuse it for a missing field, a string where a number goes or a bad time; null when
 * only zod can say (units, objects where a scalar goes, times zod words its own way). Building
 * zod's answer cost about 9 µs per refused item, and a hostile push may hold 250,000 of them.
 * Keys the schema does not know are ignored, as zod strips them. normalise.test.ts holds this
 * to zod's answers.
 */
export function rawProblems(input: Record<string, unknown>): Rejection[] | null {
  if (input.units !== undefined) return null;
  const out: Rejection[] = [];
  const { stationId, time } = input;
  if (typeof stationId === 'string') {
    if (!STATION_ID_PATTERN.test(stationId)) out.push({ field: 'stationId', reason: STATION_ID_REASON });
  } else {
    const name = scalarName(stationId);
    if (name === undefined) return null;
    out.push({ field: 'stationId', reason: `Invalid input: expected string, received ${name}` });
  }
  if (typeof time === 'string') {
    if (!DATETIME.test(time)) out.push({ field: 'time', reason: 'Invalid ISO datetime' });
  } else if (typeof time === 'number') {
    // A whole negative number is zod's "too small"; fractions and unsafe integers it words otherwise.
    if (!Number.isSafeInteger(time)) return null;
    if (time < 0) out.push({ field: 'time', reason: 'Too small: expected number to be >=0' });
  } else if (time === undefined || time === null || typeof time === 'boolean') {
    out.push({ field: 'time', reason: TIME_REASON });
  } else {
    return null;
  }
  for (const field of MEASURES) {
    const v = input[field];
    if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) continue;
    out.push({ field, reason: NUMBER_REASON });
  }
  return out;
}

/** Why a reading naming this station is refused: unknown (or deleted), or disabled by staff. */
function stationRefusal(id: string, station: Station | undefined): string | null {
  if (!station) return `unknown station ${id}`;
  if (!station.enabled) return `station ${id} is disabled`;
  return null;
}

/** The raw reading, or why it is malformed: by hand where it can be (rawProblems), else by zod. */
function checkRaw(
  input: Record<string, unknown>,
): { ok: true; raw: RawReading } | { ok: false; rejections: Rejection[] } {
  const problems = rawProblems(input);
  if (problems?.length === 0) return { ok: true, raw: input as RawReading };
  if (problems) return { ok: false, rejections: problems };
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
