// Read API for air quality: stations (and creating, replacing and deleting them, staff only, each
// recorded in the audit log in the change's transaction), the latest reading, history with window
// aggregation, and the current AQI of a city's stations.
import { caller, type HttpServer } from '../../core/http/index.ts';
import { Conflict, Invalid, NotFound } from '../../core/errors.ts';
import { z } from 'zod';
import {
  AQI_POLLUTANTS,
  cityId,
  stationId as stationIdSchema,
  type AirReading,
} from '../../core/events/air.ts';
import type { Component } from '../../core/runtime/context.ts';
import { computeAqi } from '../../core/domain/aqi.ts';
import { MEASURES } from './normalise.ts';
import {
  AGGREGATES,
  airCityAqi,
  airHistory,
  airLatest,
  airStation,
  airStationCreate,
  airStationList,
  airStationReplace,
} from './schemas.ts';
import { AIR_MEASUREMENT } from './sink.ts';
import {
  createStation,
  deleteStation,
  getStation,
  listStations,
  updateStation,
  type Station,
} from '../../core/domain/stations.ts';
import { recordAudit } from '../audit/index.ts';
import { isoDateTime } from '../../core/module/common.ts';
import { pointInCity } from '../../core/domain/geo.ts';

const stationParams = z.object({ id: stationIdSchema });
const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function parseDuration(v: string): number | null {
  const m = DURATION.exec(v);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

const MAX_RAW_POINTS = 10_000;

export const airApi: Component = async (ctx) => {
  const db = await ctx.db();
  const store = await ctx.timeseries();
  // The module's routes are one plugin under /v1 (paths below are relative to it).
  await ctx.http.register(
    async (app: HttpServer) => {
      const mustGet = async (id: string): Promise<Station> => {
        const s = await getStation(db, id);
        if (!s) throw new NotFound(`no station ${id}`);
        return s;
      };

      app.get(
        '/air/stations',
        {
          schema: {
            tags: ['air'],
            summary: 'Air-quality stations, optionally of one city',
            querystring: z.object({ city: cityId.optional() }),
            response: { 200: airStationList },
          },
          config: { auth: 'public' },
        },
        async (request) => ({ items: await listStations(db, request.query.city) }),
      );

      app.post(
        '/air/stations',
        {
          schema: {
            tags: ['air'],
            summary: 'Register a station (staff)',
            security: [{ bearerAuth: [] }],
            body: airStationCreate.superRefine(pointInCity),
            response: { 201: airStation },
          },
          config: { auth: 'staff' },
        },
        async (request, reply) => {
          const staff = caller(request);
          const created = await db.transaction(async (tx) => {
            const s = await createStation(tx, request.body);
            if (!s) throw new Conflict(`station ${request.body.id} already exists`);
            await recordAudit(tx, {
              actor: staff.sub,
              action: 'station.create',
              target: `station/${s.id}`,
              after: s,
            });
            return s;
          });
          return reply.code(201).send(created);
        },
      );

      app.put(
        '/air/stations/:id',
        {
          schema: {
            tags: ['air'],
            summary:
              'Replace a station (staff): name, names in other languages, city, position and whether ingest accepts its readings',
            security: [{ bearerAuth: [] }],
            params: stationParams,
            body: airStationReplace.superRefine(pointInCity),
            response: { 200: airStation },
          },
          config: { auth: 'staff', responses: { 404: 'no such station' } },
        },
        async (request) => {
          const staff = caller(request);
          const { id } = request.params;
          return db.transaction(async (tx) => {
            const before = await getStation(tx, id, true);
            if (!before) throw new NotFound(`no station ${id}`);
            const after = (await updateStation(tx, { ...request.body, id }))!;
            await recordAudit(tx, {
              actor: staff.sub,
              action: 'station.update',
              target: `station/${id}`,
              before,
              after,
            });
            return after;
          });
        },
      );

      app.delete(
        '/air/stations/:id',
        {
          schema: {
            tags: ['air'],
            summary:
              'Delete a station (staff); ingest then refuses its readings as unknown. Its readings history in the time-series store is kept.',
            security: [{ bearerAuth: [] }],
            params: stationParams,
            response: { 204: z.null().describe('deleted') },
          },
          config: { auth: 'staff', responses: { 404: 'no such station' } },
        },
        async (request, reply) => {
          const staff = caller(request);
          const { id } = request.params;
          await db.transaction(async (tx) => {
            const before = await deleteStation(tx, id);
            if (!before) throw new NotFound(`no station ${id}`);
            await recordAudit(tx, {
              actor: staff.sub,
              action: 'station.delete',
              target: `station/${id}`,
              before,
            });
          });
          return reply.code(204).send(null);
        },
      );

      app.get(
        '/air/stations/:id',
        {
          schema: {
            tags: ['air'],
            summary: 'One station',
            params: stationParams,
            response: { 200: airStation },
          },
          config: { auth: 'public' },
        },
        async (request) => mustGet(request.params.id),
      );

      app.get(
        '/air/stations/:id/latest',
        {
          schema: {
            tags: ['air'],
            summary: 'Latest stored value of each measurement, with the AQI it gives',
            params: stationParams,
            response: { 200: airLatest },
          },
          config: { auth: 'public' },
        },
        async (request) => {
          const s = await mustGet(request.params.id);
          const [row] = await store.latest(AIR_MEASUREMENT, { stationId: s.id });
          if (!row) throw new NotFound(`station ${s.id} has no readings yet`);
          const reading: AirReading = {
            stationId: s.id,
            city: s.city,
            time: row.time.toISOString(),
            ...row.fields,
          };
          return { reading, aqi: computeAqi(reading) };
        },
      );

      app.get(
        '/air/stations/:id/history',
        {
          schema: {
            tags: ['air'],
            summary: 'Readings in [from, to), raw or aggregated per window',
            params: stationParams,
            querystring: z
              .object({
                from: isoDateTime.describe('inclusive; default 24 h before `to`'),
                to: isoDateTime.optional().describe('exclusive; default now'),
                every: z
                  .string()
                  .regex(DURATION, { error: 'expected a duration like 30s, 5m, 1h, 1d' })
                  .optional(),
                fn: z.enum(AGGREGATES).default('mean'),
                fields: z
                  .string()
                  .regex(new RegExp(`^(${MEASURES.join('|')})(,(${MEASURES.join('|')}))*$`), {
                    error: `expected a comma-separated list of ${MEASURES.join(', ')}`,
                  })
                  .optional(),
              })
              .partial({ from: true }),
            response: { 200: airHistory },
          },
          config: { auth: 'public' },
        },
        async (request) => {
          const s = await mustGet(request.params.id);
          const q = request.query;
          const to = q.to ? new Date(q.to) : new Date();
          const from = q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000);
          if (from >= to)
            throw new Invalid('from must be before to', [
              { in: 'querystring', field: 'from', message: 'must be before to' },
            ]);
          const everyMs = q.every ? parseDuration(q.every)! : undefined;
          if (!everyMs && to.getTime() - from.getTime() > 31 * 86_400_000) {
            throw new Invalid('raw history is limited to 31 days; ask for windows with `every`', [
              { in: 'querystring', field: 'every', message: 'required for ranges over 31 days' },
            ]);
          }
          const rows = await store.range({
            measurement: AIR_MEASUREMENT,
            tags: { stationId: s.id },
            from,
            to,
            fields: q.fields?.split(','),
            everyMs,
            aggregate: q.fn,
          });
          return {
            stationId: s.id,
            from: from.toISOString(),
            to: to.toISOString(),
            every: q.every ?? null,
            fn: everyMs ? q.fn : null,
            points: rows
              .slice(0, MAX_RAW_POINTS)
              .map((r) => ({ time: r.time.toISOString(), ...roundFields(r.fields) })),
          };
        },
      );

      app.get(
        '/air/aqi',
        {
          schema: {
            tags: ['air'],
            summary:
              "Current AQI (China HJ 633-2012 and US EPA) of a city's stations, from their latest readings",
            querystring: z.object({ city: cityId }),
            response: { 200: airCityAqi },
          },
          config: { auth: 'public' },
        },
        async (request) => {
          const city = request.query.city;
          const known = new Set((await listStations(db, city)).map((s) => s.id));
          const rows = await store.latest(AIR_MEASUREMENT, { city }, [...AQI_POLLUTANTS]);
          const items = rows
            .filter((r) => known.has(r.tags.stationId!))
            .map((r) =>
              computeAqi({ stationId: r.tags.stationId!, city, time: r.time.toISOString(), ...r.fields }),
            )
            .filter((a) => a !== null);
          const worstCn = items.reduce<(typeof items)[number] | null>(
            (w, a) => (!w || a.cn.aqi > w.cn.aqi ? a : w),
            null,
          );
          const worstUs = items.reduce<(typeof items)[number] | null>(
            (w, a) => (!w || a.us.aqi > w.us.aqi ? a : w),
            null,
          );
          return {
            city,
            cn: worstCn
              ? { aqi: worstCn.cn.aqi, level: worstCn.cn.level, category: worstCn.cn.category }
              : null,
            us: worstUs ? { aqi: worstUs.us.aqi, category: worstUs.us.category } : null,
            items,
          };
        },
      );
    },
    { prefix: '/v1' },
  );

  return { stop: async () => undefined };
};

function roundFields(fields: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = Math.round(v * 1000) / 1000;
  return out;
}
