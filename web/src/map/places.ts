// What the map's search box finds: the city's districts, hospitals, air stations and cameras
// (as the page loaded them) and its rail and coach stations (core/domain/transport-stations.ts,
// bundled).
import type { LatLon } from '../cities.ts';

export type PlaceKind = 'district' | 'hospital' | 'station' | 'camera' | 'coach';

export interface Place extends LatLon {
  kind: PlaceKind;
  /** Name in the page's language first; the other name (if any) is matched too. */
  name: string;
  alt?: string;
}

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
