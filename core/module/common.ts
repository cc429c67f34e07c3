// Small shared pieces of the city-services API: ids, money, who may see what.
import { Invalid, NotFound } from '../errors.ts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../auth/index.ts';
import { assertNoNul, issueCode } from '../http/index.ts';
import { CITY_IDS, type CityId } from '../domain/cities.ts';

export const city = z.enum(CITY_IDS);
export type City = CityId;

/** Opaque ids with a readable prefix: `apt_…`, `pay_…`. */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/** PostgreSQL numeric arrives as a string ("25.00"); keep it a string with two decimals. */
export const money = (v: string | number) => Number(v).toFixed(2);

/** Years every store (PostgreSQL, InfluxDB's nanosecond range, JS Date) represents the same way. */
const MIN_YEAR = 1970;
const MAX_YEAR = 2200;
const YEARS = `a year from ${MIN_YEAR} to ${MAX_YEAR}`;

/** True when y-m-d names a day of the calendar in the supported years (no 2026-02-30, no 0000). */
function realDay(y: number, m: number, d: number): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' })
  .refine((v) => realDay(...(v.split('-').map(Number) as [number, number, number])), {
    error: `no such date: expected a real calendar day in ${YEARS}`,
  });

/** An RFC 3339 time with offset, in the supported years. */
export const isoDateTime = z.iso.datetime({ offset: true }).refine(
  (v) => {
    const t = new Date(v);
    return !Number.isNaN(t.getTime()) && t.getUTCFullYear() >= MIN_YEAR && t.getUTCFullYear() <= MAX_YEAR;
  },
  { error: `expected a time in ${YEARS}` },
);

/** Owners see their own records, staff see all; anyone else is told it does not exist. */
export function assertOwner(principal: Principal, ownerId: string, what: string, id: string): void {
  if (principal.role !== 'staff' && principal.sub !== ownerId) throw new NotFound(`${what} ${id} not found`);
}

export const idParam = z.object({ id: z.string().min(1).max(100) });

/** Days start at midnight China Standard Time (UTC+8, no DST) for every city served. */
export function cstDayRange(date: string): [Date, Date] {
  const start = new Date(`${date}T00:00:00+08:00`);
  return [start, new Date(start.getTime() + 86_400_000)];
}

/** Validates what a route could not declare as its body schema (multipart, form posts). */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  assertNoNul('body', value);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({
    in: 'body',
    field: i.path.join('.'),
    message: i.message,
    ...issueCode(i.code, i as unknown as Record<string, unknown>),
  }));
  throw new Invalid(
    `invalid body: ${errors.map((e) => `${e.field || 'body'}: ${e.message}`).join('; ')}`,
    errors,
    'validation_failed',
  );
}
