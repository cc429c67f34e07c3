// Small shared pieces of the city-services API: ids, money, who may see what.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../../core/auth/index.ts';
import { badRequest, notFound } from '../../core/http/index.ts';
import { CITY_IDS, type CityId } from '../../core/domain/cities.ts';

export const city = z.enum(CITY_IDS);
export type City = CityId;

/** Opaque ids with a readable prefix: `apt_…`, `pay_…`. */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/** PostgreSQL numeric arrives as a string ("25.00"); keep it a string with two decimals. */
export const money = (v: string | number) => Number(v).toFixed(2);

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' });

/** Owners see their own records, staff see all; anyone else is told it does not exist. */
export function assertOwner(principal: Principal, ownerId: string, what: string, id: string): void {
  if (principal.role !== 'staff' && principal.sub !== ownerId) throw notFound(`${what} ${id} not found`);
}

export const idParam = z.object({ id: z.string().min(1).max(100) });

/** Days start at midnight China Standard Time (UTC+8, no DST) for every city served. */
export function cstDayRange(date: string): [Date, Date] {
  const start = new Date(`${date}T00:00:00+08:00`);
  return [start, new Date(start.getTime() + 86_400_000)];
}

/** Validates what a route could not declare as its body schema (multipart, form posts). */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ in: 'body', field: i.path.join('.'), message: i.message }));
  throw badRequest(
    `invalid body: ${errors.map((e) => `${e.field || 'body'}: ${e.message}`).join('; ')}`,
    errors,
  );
}
