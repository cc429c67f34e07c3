// The air API's response shapes: the routes declare them (so /openapi.json and the serializer use
// them) and the dashboard takes its types from them (`import type`, erased from the bundle).
import { z } from 'zod';
import { airAqi, cityId, stationId } from '../../core/events/air.ts';
import { localizedNames } from '../../core/events/names.ts';
import { MEASURES } from './normalise.ts';

export const airStation = z.object({
  id: stationId,
  name: z.string().min(1).max(200),
  city: cityId,
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** False: ingest refuses the station's readings (as an unknown station's) until re-enabled. */
  enabled: z.boolean(),
  /** The name in other languages (language tag → name); a page shows its language's, else `name`. */
  names: localizedNames,
});

/** POST /v1/air/stations: a station, `enabled` optional (default true), `names` (default none). */
export const airStationCreate = airStation.extend({
  enabled: z.boolean().default(true),
  names: localizedNames.default({}),
});

/**
 * PUT /v1/air/stations/{id}: every field but the id (which the path names); a full replace, so
 * `names` left out means none.
 */
export const airStationReplace = airStation.omit({ id: true }).extend({ names: localizedNames.default({}) });

export const airStationList = z.object({ items: z.array(airStation) });

const measures = z.object(
  Object.fromEntries(MEASURES.map((m) => [m, z.number().optional()])) as Record<
    (typeof MEASURES)[number],
    z.ZodOptional<z.ZodNumber>
  >,
);

export const airLatestReading = z
  .object({ stationId: z.string(), city: cityId, time: z.iso.datetime() })
  .extend(measures.shape);

/** GET /v1/air/stations/{id}/latest */
export const airLatest = z.object({ reading: airLatestReading, aqi: airAqi.nullable() });

export const airHistoryPoint = z.object({ time: z.iso.datetime() }).extend(measures.shape);

export const AGGREGATES = ['mean', 'min', 'max'] as const;

/** GET /v1/air/stations/{id}/history */
export const airHistory = z.object({
  stationId: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  every: z.string().nullable(),
  fn: z.enum(AGGREGATES).nullable(),
  points: z.array(airHistoryPoint),
});

/** GET /v1/air/aqi */
export const airCityAqi = z.object({
  city: cityId,
  /** The worst station's indices: what a city badge shows. */
  cn: z.object({ aqi: z.number().int(), level: z.number().int(), category: z.string() }).nullable(),
  us: z.object({ aqi: z.number().int(), category: z.string() }).nullable(),
  items: z.array(airAqi),
});
