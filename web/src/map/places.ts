// What the map's search box finds: the city's districts, hospitals, air stations and cameras
// (as the page loaded them) and its rail and coach stations, bundled here from their public
// locations (approximate: enough to drop a pin, not a survey).
import type { CityId, LatLon } from '../cities.ts';

export type PlaceKind = 'district' | 'hospital' | 'station' | 'camera' | 'coach';

export interface Place extends LatLon {
  kind: PlaceKind;
  /** Name in the page's language first; the other name (if any) is matched too. */
  name: string;
  alt?: string;
}

/** Stations of the coach and rail services (modules/transport/seed.ts names them). */
export const COACH_STATIONS: Record<CityId, { en: string; zh: string; lat: number; lon: number }[]> = {
  shenzhen: [
    { en: 'Shenzhen North', zh: '深圳北站', lat: 22.6096, lon: 114.0292 },
    { en: 'Futian Coach Station', zh: '福田汽车客运站', lat: 22.5355, lon: 114.0237 },
    { en: 'Luohu Coach Station', zh: '罗湖汽车客运站', lat: 22.5325, lon: 114.1175 },
  ],
  guangzhou: [
    { en: 'Guangzhou South', zh: '广州南站', lat: 22.9894, lon: 113.2692 },
    { en: 'Guangdong Provincial Bus Station', zh: '广东省汽车客运站', lat: 23.1496, lon: 113.2577 },
    { en: 'Fangcun Coach Station', zh: '芳村客运站', lat: 23.0968, lon: 113.2319 },
  ],
  foshan: [
    { en: 'Foshan West', zh: '佛山西站', lat: 23.0527, lon: 113.0731 },
    { en: 'Foshan Coach Terminal', zh: '佛山汽车站', lat: 23.0285, lon: 113.1151 },
  ],
};

/** Places whose name contains the query (any case, any of its names), best first. */
export function searchPlaces(places: readonly Place[], query: string, limit = 8): Place[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const score = (p: Place) => {
    const names = [p.name, p.alt ?? ''].map((n) => n.toLowerCase());
    if (names.some((n) => n === q)) return 0;
    if (names.some((n) => n.startsWith(q))) return 1;
    return names.some((n) => n.includes(q)) ? 2 : -1;
  };
  return places
    .map((p) => ({ p, s: score(p) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => a.s - b.s || a.p.name.length - b.p.name.length)
    .slice(0, limit)
    .map((x) => x.p);
}
