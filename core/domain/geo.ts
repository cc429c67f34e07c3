// How far from a served city's centre a pin still belongs to it (the centres are in core/domain).
import type { z } from 'zod';
import { CITIES, isCityId, type CityId, type LatLon } from './cities.ts';

/** A pin farther than this from a city's centre is not in that city. */
export const SERVICE_RADIUS_KM = 90;

/** Great-circle distance in km between two points. */
export function km(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** The served city whose centre is nearest the pin, or null when none is within reach. */
export function cityAt(lat: number, lon: number): CityId | null {
  let best: CityId | null = null;
  let bestKm = SERVICE_RADIUS_KM;
  for (const c of CITIES) {
    const d = km({ lat, lon }, c.centre);
    if (d <= bestKm) [best, bestKm] = [c.id, d];
  }
  return best;
}

/** A zod check for objects with city, lat, lon: the point must lie within its city. */
export function pointInCity(v: { city: string; lat: number; lon: number }, ctx: z.RefinementCtx): void {
  if (!isCityId(v.city)) return; // the city field reports its own error
  const centre = CITIES.find((c) => c.id === v.city)!.centre;
  const d = km({ lat: v.lat, lon: v.lon }, centre);
  if (d <= SERVICE_RADIUS_KM) return;
  const message = `${Math.round(d)} km from the centre of ${v.city}; a point in ${v.city} is within ${SERVICE_RADIUS_KM} km`;
  // The code and numbers let the hub word the error in the caller's language (core/http/messages.ts).
  const params = { code: 'outside_city', city: v.city, km: Math.round(d), radius: SERVICE_RADIUS_KM };
  ctx.addIssue({ code: 'custom', path: ['lat'], message, params });
  ctx.addIssue({ code: 'custom', path: ['lon'], message, params });
}
