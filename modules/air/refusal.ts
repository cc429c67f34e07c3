// Why a raw reading is malformed, for the shapes hostile or broken senders produce most (a field
// missing, a string where a number goes, a bad time), worded exactly as zod words them in
// normalise.ts, without zod: a refused item cost about 9 µs there, most of it building a ZodError
// the reply lists for only the first 20 items, and a push may hold 250,000 of them. Anything else
// (units, objects where a scalar goes, times zod words in its own way) returns null and goes to
// zod. normalise.test.ts compares the two over every combination of these shapes.
import { STATION_ID_PATTERN, STATION_ID_REASON } from '../../core/events/air.ts';
import type { Rejection } from './normalise.ts';

/** The fields of a raw reading that hold a measurement, in the schema's order. */
const NUMBER_FIELDS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co', 'temperature', 'humidity'] as const;

export const TIME_REASON =
  'expected an ISO 8601 time with offset (e.g. 2026-11-24T08:00:00Z) or epoch milliseconds';
export const NUMBER_REASON = 'expected a number';

/** zod's name for a scalar it did not expect; undefined for what this module leaves to zod. */
function scalarName(v: unknown): string | undefined {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  // zod names NaN and ±Infinity by value
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : undefined;
  if (typeof v === 'boolean') return 'boolean';
  return undefined;
}

/**
 * The problems zod would list for `input`, in its order, or null when zod must judge it. Only
 * for inputs the plain fast path refused: it is never asked about a valid reading.
 */
export function quickRefusal(input: Record<string, unknown>, datetime: RegExp): Rejection[] | null {
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
    if (!datetime.test(time)) out.push({ field: 'time', reason: 'Invalid ISO datetime' });
  } else if (typeof time === 'number') {
    // A whole negative number is zod's "too small"; fractions and unsafe integers it words otherwise.
    if (!Number.isSafeInteger(time)) return null;
    if (time < 0) out.push({ field: 'time', reason: 'Too small: expected number to be >=0' });
  } else if (time === undefined || time === null || typeof time === 'boolean') {
    out.push({ field: 'time', reason: TIME_REASON });
  } else {
    return null;
  }
  for (const field of NUMBER_FIELDS) {
    const v = input[field];
    if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) continue;
    out.push({ field, reason: NUMBER_REASON });
  }
  return out.length > 0 ? out : null;
}
