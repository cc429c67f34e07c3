// What a store will never take, told apart from what it cannot take right now. A refused write
// (a time the store cannot represent, a field type conflict, a point InfluxDB answers 400 or 422
// for) fails the same way on every retry, so retrying it only blocks everything behind it; a
// transient failure (store down, timeout, 5xx, bad token) is retried until it passes.
import type { Point } from './types.ts';
import { nameProblem } from './series.ts';

export class WriteRefusedError extends Error {
  override readonly name = 'WriteRefusedError';
  /** The store's HTTP status when it answered one. */
  readonly status?: number;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * The times both stores can hold. InfluxDB stores nanoseconds since the epoch in a signed 64-bit
 * integer (1677-09-21 to 2262-04-11, its extreme values reserved); the embedded store could hold
 * more, but both adapters take the same points.
 */
export const MIN_TIME_MS = -9_223_372_036_854;
export const MAX_TIME_MS = 9_223_372_036_854;
export const TIME_RANGE_TEXT = `${new Date(MIN_TIME_MS).toISOString()} .. ${new Date(MAX_TIME_MS).toISOString()}`;

/** Why a time cannot be stored, or null when it can. */
export function timeProblem(ms: number): string | null {
  if (Number.isNaN(ms)) return 'not a valid time';
  if (ms < MIN_TIME_MS || ms > MAX_TIME_MS)
    return `outside the range a time-series store can hold (${TIME_RANGE_TEXT})`;
  return null;
}

/** Why a point can never be stored, or null when it can. */
export function pointProblem(p: Point): string | null {
  const problem =
    nameProblem('measurement', p.measurement) ??
    Object.keys(p.tags).reduce<string | null>((found, k) => found ?? nameProblem('tag', k), null);
  if (problem) return problem;
  for (const [k, v] of Object.entries(p.fields)) {
    const bad = nameProblem('field', k);
    if (bad) return bad;
    if (!Number.isFinite(v)) return `field ${k} of ${p.measurement} is not a finite number: ${v}`;
  }
  const time = timeProblem(p.time.getTime());
  return time ? `time of ${p.measurement} point: ${time}` : null;
}
