// Where the served cities are: their centres and how far from one a pin still belongs to it.
import type { z } from 'zod';
import { CITIES, type City } from './common.ts';

export const CITY_CENTRES: Record<City, [number, number]> = {
  shenzhen: [22.543, 114.058],
  guangzhou: [23.129, 113.264],
  foshan: [23.022, 113.122],
};
/** A pin farther than this from a city's centre is not in that city. */
export const SERVICE_RADIUS_KM = 90;

/** Great-circle distance in km between two [lat, lon] points. */
export function km(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** The served city whose centre is nearest the pin, or null when none is within reach. */
export function cityAt(lat: number, lon: number): City | null {
  let best: City | null = null;
  let bestKm = SERVICE_RADIUS_KM;
  for (const c of CITIES) {
    const d = km([lat, lon], CITY_CENTRES[c]);
    if (d <= bestKm) [best, bestKm] = [c, d];
  }
  return best;
}

/** A zod check for objects with city, lat, lon: the point must lie within its city. */
export function pointInCity(v: { city: string; lat: number; lon: number }, ctx: z.RefinementCtx): void {
  const centre = CITY_CENTRES[v.city as City] as [number, number] | undefined;
  if (!centre) return; // the city field reports its own error
  const d = km([v.lat, v.lon], centre);
  if (d <= SERVICE_RADIUS_KM) return;
  const message = `${Math.round(d)} km from the centre of ${v.city}; a point in ${v.city} is within ${SERVICE_RADIUS_KM} km`;
  ctx.addIssue({ code: 'custom', path: ['lat'], message });
  ctx.addIssue({ code: 'custom', path: ['lon'], message });
}
