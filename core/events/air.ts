import { z } from 'zod';
import { CITY_IDS } from '../domain/cities.ts';

export { CITY_IDS, type CityId } from '../domain/cities.ts';
export const cityId = z.enum(CITY_IDS, { error: `expected a city id: ${CITY_IDS.join(', ')}` });

/** A station id, and why one is refused (also worded by hand in modules/air/normalise.ts). */
export const STATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const STATION_ID_REASON = 'expected 1-64 characters: letters, digits, . _ : -';
export const stationId = z.string().regex(STATION_ID_PATTERN, { error: STATION_ID_REASON });

const concentration = z.number().finite().nonnegative();

/** One normalised reading: pollutants in µg/m³ except CO in mg/m³; °C; % relative humidity. */
export const airReading = z.object({
  stationId,
  time: z.iso.datetime({ offset: true }),
  pm25: concentration.optional(),
  pm10: concentration.optional(),
  o3: concentration.optional(),
  no2: concentration.optional(),
  so2: concentration.optional(),
  co: concentration.optional(),
  temperature: z.number().finite().optional(),
  humidity: z.number().finite().min(0).max(100).optional(),
  /** The station's city, from the registry: the gateway maps it to `air:city:{city}`. */
  city: cityId,
  /** Where the reading came from, e.g. `push:http:integrator-a` or `pull:openaq`. */
  origin: z.string().max(200).optional(),
});
export type AirReading = z.infer<typeof airReading>;

export const AQI_POLLUTANTS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co'] as const;
const pollutant = z.enum(AQI_POLLUTANTS);

export const airAqi = z.object({
  stationId,
  city: cityId,
  time: z.iso.datetime({ offset: true }),
  cn: z.object({
    aqi: z.number().int().nonnegative(),
    level: z.number().int().min(1).max(6),
    category: z.string(),
    primaryPollutants: z.array(pollutant),
    iaqi: z.partialRecord(pollutant, z.number().int().nonnegative()),
  }),
  us: z.object({
    aqi: z.number().int().nonnegative(),
    category: z.string(),
    primaryPollutant: pollutant.nullable(),
  }),
});
export type AirAqi = z.infer<typeof airAqi>;
