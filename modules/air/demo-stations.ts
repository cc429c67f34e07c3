// Demo stations of the three pilot cities, placed at (approximately) real monitoring sites.
import type { Seeder } from '../../core/db/seed.ts';
import { createStation, type NewStation } from '../../core/domain/stations.ts';

export const DEMO_STATIONS: NewStation[] = [
  { id: 'SZ-0001', name: 'Shenzhen Honghu', city: 'shenzhen', lat: 22.5623, lon: 114.1175 },
  {
    id: 'SZ-0002',
    name: 'Shenzhen Nanshan Overseas Chinese Town',
    city: 'shenzhen',
    lat: 22.5372,
    lon: 113.9796,
  },
  { id: 'SZ-0003', name: 'Shenzhen Longgang', city: 'shenzhen', lat: 22.7197, lon: 114.2473 },
  { id: 'SZ-0004', name: "Shenzhen Bao'an Xixiang", city: 'shenzhen', lat: 22.5808, lon: 113.8661 },
  { id: 'GZ-0001', name: 'Guangzhou Guangya Middle School', city: 'guangzhou', lat: 23.1414, lon: 113.2597 },
  { id: 'GZ-0002', name: 'Guangzhou Tianhe Wushan', city: 'guangzhou', lat: 23.1544, lon: 113.3522 },
  { id: 'GZ-0003', name: 'Guangzhou Panyu Middle School', city: 'guangzhou', lat: 22.9477, lon: 113.352 },
  { id: 'GZ-0004', name: 'Guangzhou Huangpu Dashadi', city: 'guangzhou', lat: 23.1057, lon: 113.454 },
  { id: 'FS-0001', name: 'Foshan Huijingcheng', city: 'foshan', lat: 23.0065, lon: 113.1175 },
  { id: 'FS-0002', name: 'Foshan Shunde Rongqi', city: 'foshan', lat: 22.773, lon: 113.247 },
  { id: 'FS-0003', name: 'Foshan Nanhai Guicheng', city: 'foshan', lat: 23.033, lon: 113.147 },
];

export const airStationsSeeder: Seeder = {
  name: 'air stations',
  async run(db) {
    let inserted = false;
    for (const s of DEMO_STATIONS) if (await createStation(db, s)) inserted = true;
    return inserted;
  },
};
