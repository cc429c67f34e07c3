// The cities citystream serves: the one list every role, the event schemas, the seeds and the
// dashboard import (esbuild bundles this file into the page, so it stays plain data: no Node
// imports). Coordinates are approximate: enough to place a pin, not a survey.

export const CITY_IDS = ['shenzhen', 'guangzhou', 'foshan'] as const;
export type CityId = (typeof CITY_IDS)[number];

export interface LatLon {
  lat: number;
  lon: number;
}

export interface City {
  id: CityId;
  name: { en: string; zh: string };
  /** The city centre: incident pins are assigned to the nearest one. */
  centre: LatLon;
  /** The urban area the dashboard map shows. */
  bounds: { south: number; west: number; north: number; east: number };
  /** IANA zone; all three keep China Standard Time (UTC+8, no DST), so a day starts at 00:00+08:00. */
  timezone: 'Asia/Shanghai';
}

export const CITIES: readonly City[] = [
  {
    id: 'shenzhen',
    name: { en: 'Shenzhen', zh: '深圳' },
    centre: { lat: 22.543, lon: 114.058 },
    bounds: { south: 22.45, west: 113.75, north: 22.8, east: 114.35 },
    timezone: 'Asia/Shanghai',
  },
  {
    id: 'guangzhou',
    name: { en: 'Guangzhou', zh: '广州' },
    centre: { lat: 23.129, lon: 113.264 },
    bounds: { south: 22.9, west: 113.15, north: 23.35, east: 113.55 },
    timezone: 'Asia/Shanghai',
  },
  {
    id: 'foshan',
    name: { en: 'Foshan', zh: '佛山' },
    centre: { lat: 23.022, lon: 113.122 },
    bounds: { south: 22.75, west: 112.85, north: 23.2, east: 113.35 },
    timezone: 'Asia/Shanghai',
  },
];

export function isCityId(id: string): id is CityId {
  return (CITY_IDS as readonly string[]).includes(id);
}

/** The city with this id; ids come from the typed list, so one is always found. */
export function city(id: CityId): City {
  return CITIES.find((c) => c.id === id)!;
}
