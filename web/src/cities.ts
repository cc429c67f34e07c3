// The served cities (core/domain/cities.ts: ids, names, bounds) as the dashboard uses them. The
// map draws their districts from core/domain/districts.geojson (web/src/map).
import { CITIES as SERVED, type CityId, type LatLon } from '../../core/domain/cities.ts';
import { h } from './dom.ts';
import { language } from './i18n/index.ts';

export type { CityId, LatLon };

export interface City {
  id: CityId;
  /** English name. */
  name: string;
  /** Chinese name. */
  local: string;
  bbox: { south: number; west: number; north: number; east: number };
}

export const CITIES: readonly City[] = SERVED.map((c) => ({
  id: c.id,
  name: c.name.en,
  local: c.name.zh,
  bbox: c.bounds,
}));

export function cityById(id: string): City {
  return CITIES.find((c) => c.id === id) ?? CITIES[0]!;
}

/** A city's name in the page's language (Chinese name on a zh-CN page). */
export function cityLabel(c: City): string {
  return language() === 'zh-CN' ? c.local : c.name;
}

/** One <option> per served city, named in the page's language; `selected` picks one. */
export function cityOptions(selected?: string): HTMLOptionElement[] {
  return CITIES.map((c) => h('option', { value: c.id, selected: c.id === selected }, cityLabel(c)));
}
