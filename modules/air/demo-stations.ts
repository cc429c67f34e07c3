// Demo stations of the three pilot cities, placed at (approximately) real monitoring sites, with
// their Chinese names for the zh-CN page.
import type { Seeder } from '../../core/db/seed.ts';
import { createStation, type NewStation } from '../../core/domain/stations.ts';

export const DEMO_STATIONS: NewStation[] = [
  {
    id: 'SZ-0001',
    name: 'Shenzhen Honghu',
    names: { 'zh-CN': '深圳洪湖' },
    city: 'shenzhen',
    lat: 22.5623,
    lon: 114.1175,
  },
  {
    id: 'SZ-0002',
    name: 'Shenzhen Nanshan Overseas Chinese Town',
    names: { 'zh-CN': '深圳南山华侨城' },
    city: 'shenzhen',
    lat: 22.5372,
    lon: 113.9796,
  },
  {
    id: 'SZ-0003',
    name: 'Shenzhen Longgang',
    names: { 'zh-CN': '深圳龙岗' },
    city: 'shenzhen',
    lat: 22.7197,
    lon: 114.2473,
  },
  {
    id: 'SZ-0004',
    name: "Shenzhen Bao'an Xixiang",
    names: { 'zh-CN': '深圳宝安西乡' },
    city: 'shenzhen',
    lat: 22.5808,
    lon: 113.8661,
  },
  {
    id: 'GZ-0001',
    name: 'Guangzhou Guangya Middle School',
    names: { 'zh-CN': '广州广雅中学' },
    city: 'guangzhou',
    lat: 23.1414,
    lon: 113.2597,
  },
  {
    id: 'GZ-0002',
    name: 'Guangzhou Tianhe Wushan',
    names: { 'zh-CN': '广州天河五山' },
    city: 'guangzhou',
    lat: 23.1544,
    lon: 113.3522,
  },
  {
    id: 'GZ-0003',
    name: 'Guangzhou Panyu Middle School',
    names: { 'zh-CN': '广州番禺中学' },
    city: 'guangzhou',
    lat: 22.9477,
    lon: 113.352,
  },
  {
    id: 'GZ-0004',
    name: 'Guangzhou Huangpu Dashadi',
    names: { 'zh-CN': '广州黄埔大沙地' },
    city: 'guangzhou',
    lat: 23.1057,
    lon: 113.454,
  },
  {
    id: 'FS-0001',
    name: 'Foshan Huijingcheng',
    names: { 'zh-CN': '佛山汇景城' },
    city: 'foshan',
    lat: 23.0065,
    lon: 113.1175,
  },
  {
    id: 'FS-0002',
    name: 'Foshan Shunde Rongqi',
    names: { 'zh-CN': '佛山顺德容桂' },
    city: 'foshan',
    lat: 22.773,
    lon: 113.247,
  },
  {
    id: 'FS-0003',
    name: 'Foshan Nanhai Guicheng',
    names: { 'zh-CN': '佛山南海桂城' },
    city: 'foshan',
    lat: 23.033,
    lon: 113.147,
  },
];

export const airStationsSeeder: Seeder = {
  name: 'air stations',
  async run(db) {
    let inserted = false;
    for (const s of DEMO_STATIONS) if (await createStation(db, s)) inserted = true;
    // A demo database from before station names gets them, unless staff renamed the station:
    // one statement for all of them, at every demo start.
    await db.query(
      `UPDATE air_stations s SET names = d.names
       FROM jsonb_to_recordset($1::jsonb) AS d(id text, name text, names jsonb)
       WHERE s.id = d.id AND s.name = d.name AND s.names = '{}'::jsonb`,
      [JSON.stringify(DEMO_STATIONS.map(({ id, name, names }) => ({ id, name, names })))],
    );
    return inserted;
  },
};
