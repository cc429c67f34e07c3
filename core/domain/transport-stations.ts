// The coach and rail stations the timetable serves, per city: English and Chinese names and their
// public locations (approximate: enough to drop a map pin, not a survey). One list for both the
// departures' station names (modules/transport/seed.ts) and the map's place search (web/src/map).
import type { CityId } from './cities.ts';

export interface TransportStation {
  /** English name, as departures carry it in `from.station` / `to.station`. */
  en: string;
  zh: string;
  lat: number;
  lon: number;
}

export const TRANSPORT_STATIONS: Readonly<Record<CityId, readonly TransportStation[]>> = {
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
