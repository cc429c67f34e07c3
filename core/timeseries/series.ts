// Helpers shared by both adapters: the canonical key of a series and folding per-field samples
// into rows, so both adapters return rows of exactly the same shape.
import type { SeriesRow } from './types.ts';

/** `measurement` plus the tag set sorted by key: the identity of a series. */
export function seriesKey(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Measurement, tag and field names are restricted so they are safe in SQL, Flux and line protocol. */
export function nameProblem(kind: string, name: string): string | null {
  return NAME.test(name) ? null : `invalid ${kind} name ${JSON.stringify(name)}: expected ${NAME}`;
}

export function assertName(kind: string, name: string): void {
  const problem = nameProblem(kind, name);
  if (problem) throw new Error(problem);
}

export interface Sample {
  tags: Record<string, string>;
  field: string;
  time: Date;
  value: number;
}

/** Groups samples into one row per (series, time), fields merged; sorted by series then time. */
export function rowsBySeriesAndTime(samples: Iterable<Sample>): SeriesRow[] {
  const rows = new Map<string, SeriesRow & { key: string }>();
  for (const s of samples) {
    const key = seriesKey(s.tags);
    const id = `${key}\u0000${s.time.getTime()}`;
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, time: s.time, tags: s.tags, fields: {} }));
    row.fields[s.field] = s.value;
  }
  return [...rows.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.time.getTime() - b.time.getTime()))
    .map(({ time, tags, fields }) => ({ time, tags, fields }));
}

/** One row per series: each field's latest value, `time` the newest of them. */
export function latestBySeries(samples: Iterable<Sample>): SeriesRow[] {
  const rows = new Map<string, SeriesRow & { key: string }>();
  for (const s of samples) {
    const key = seriesKey(s.tags);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { key, time: s.time, tags: s.tags, fields: {} }));
    row.fields[s.field] = s.value;
    if (s.time > row.time) row.time = s.time;
  }
  return [...rows.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ time, tags, fields }) => ({ time, tags, fields }));
}
