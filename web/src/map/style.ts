// The bundled offline style: no tiles and no glyph server, only the district boundaries of the
// three cities (core/domain/districts.geojson, served as a hashed asset) on a water-coloured
// background. Labels are HTML markers (index.ts), so no font is ever fetched. With
// CITYSTREAM_MAP_STYLE_URL the operator's style replaces it and the district lines go on top.
import type { LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';

export const OFFLINE_STYLE_NAME = 'citystream-offline';
export const DISTRICT_SOURCE = 'districts';

const LAND: Record<string, string> = { shenzhen: '#f3efe4', guangzhou: '#eef2e6', foshan: '#f2ebe9' };

export function offlineStyle(districtsUrl: string): StyleSpecification {
  return {
    version: 8,
    name: OFFLINE_STYLE_NAME,
    sources: { [DISTRICT_SOURCE]: { type: 'geojson', data: districtsUrl } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#d9e6ef' } },
      {
        id: 'district-fill',
        type: 'fill',
        source: DISTRICT_SOURCE,
        paint: {
          'fill-color': [
            'match',
            ['get', 'city'],
            'shenzhen',
            LAND.shenzhen!,
            'guangzhou',
            LAND.guangzhou!,
            'foshan',
            LAND.foshan!,
            '#eeeeee',
          ],
          'fill-outline-color': '#b6bcc6',
        },
      },
      districtLines(),
    ],
  };
}

function districtLines(): LayerSpecification {
  return {
    id: 'district-line',
    type: 'line',
    source: DISTRICT_SOURCE,
    paint: {
      'line-color': '#7d8797',
      'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.6, 14, 2.5],
      'line-dasharray': [3, 1.5],
    },
  };
}

/** On an operator's style: the district boundaries drawn over its tiles, once. */
export function addDistrictOverlay(map: MapLibreMap, districtsUrl: string): void {
  if (map.getSource(DISTRICT_SOURCE)) return;
  map.addSource(DISTRICT_SOURCE, { type: 'geojson', data: districtsUrl });
  map.addLayer(districtLines());
}
