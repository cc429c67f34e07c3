// The served cities (core/domain/cities.ts: ids, names, bounds) with what the offline map draws
// on top: a few reference features (district centres, the main river or border), from approximate
// coordinates. Enough to tell where a pin is; not a survey map, and no tiles are fetched from anywhere.
import { CITIES as SERVED, type CityId, type LatLon } from '../../core/domain/cities.ts';

export type { CityId, LatLon };

interface MapFeatures {
  /** `anchor: 'end'` puts the label left of the point, where a neighbour would overlap it. */
  places: (LatLon & { name: string; anchor?: 'end' })[];
  lines: { name: string; kind: 'river' | 'border'; points: [lat: number, lon: number][] }[];
}

export interface City extends MapFeatures {
  id: CityId;
  name: string;
  /** Chinese name, shown next to the English one. */
  local: string;
  bbox: { south: number; west: number; north: number; east: number };
}

const FEATURES: Record<CityId, MapFeatures> = {
  shenzhen: {
    places: [
      { name: 'Futian', lat: 22.541, lon: 114.055 },
      { name: 'Luohu', lat: 22.548, lon: 114.131 },
      { name: 'Nanshan', lat: 22.533, lon: 113.93 },
      { name: "Bao'an", lat: 22.555, lon: 113.883 },
      { name: 'Longhua', lat: 22.657, lon: 114.044 },
      { name: 'Longgang', lat: 22.721, lon: 114.247 },
    ],
    lines: [
      {
        name: 'Shenzhen River (border)',
        kind: 'border',
        points: [
          [22.5, 113.9],
          [22.505, 113.97],
          [22.515, 114.02],
          [22.525, 114.07],
          [22.533, 114.11],
          [22.545, 114.16],
          [22.56, 114.22],
        ],
      },
    ],
  },
  guangzhou: {
    places: [
      { name: 'Yuexiu', lat: 23.129, lon: 113.267 },
      { name: 'Tianhe', lat: 23.125, lon: 113.361 },
      { name: 'Haizhu', lat: 23.084, lon: 113.317 },
      { name: 'Liwan', lat: 23.126, lon: 113.244, anchor: 'end' },
      { name: 'Baiyun', lat: 23.2, lon: 113.27 },
      { name: 'Panyu', lat: 22.937, lon: 113.384 },
    ],
    lines: [
      {
        name: 'Pearl River',
        kind: 'river',
        points: [
          [23.16, 113.2],
          [23.12, 113.235],
          [23.113, 113.27],
          [23.11, 113.3],
          [23.105, 113.33],
          [23.1, 113.37],
          [23.09, 113.42],
          [23.08, 113.48],
          [23.06, 113.53],
        ],
      },
    ],
  },
  foshan: {
    places: [
      { name: 'Chancheng', lat: 23.008, lon: 113.122 },
      { name: 'Nanhai', lat: 23.03, lon: 113.15 },
      { name: 'Shunde', lat: 22.805, lon: 113.293 },
      { name: 'Sanshui', lat: 23.156, lon: 112.897 },
      { name: 'Gaoming', lat: 22.9, lon: 112.892 },
    ],
    lines: [
      {
        name: 'Fenjiang River',
        kind: 'river',
        points: [
          [23.06, 112.97],
          [23.04, 113.03],
          [23.02, 113.08],
          [23.0, 113.14],
          [22.985, 113.2],
          [22.97, 113.26],
        ],
      },
    ],
  },
};

export const CITIES: readonly City[] = SERVED.map((c) => ({
  id: c.id,
  name: c.name.en,
  local: c.name.zh,
  bbox: c.bounds,
  ...FEATURES[c.id],
}));

export function cityById(id: string): City {
  return CITIES.find((c) => c.id === id) ?? CITIES[0]!;
}
