// The dashboard's map: which MapLibre style it draws. Unset, the page uses its bundled offline
// style (district boundaries of the three cities, no tiles); set, the same map shows the
// operator's tiles, and the page's Content-Security-Policy lets it reach the style's origin.
import { documented, httpUrl } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const mapVariables = {
  CITYSTREAM_MAP_STYLE_URL: documented(httpUrl('MapLibre style JSON the dashboard map loads'), {
    description:
      'MapLibre style JSON the dashboard map loads (online tiles from your provider); its tiles and glyphs must be on the same origin, which the page is allowed to reach',
    default: 'the bundled offline style (district boundaries, no network)',
    roles: 'api (the dashboard)',
  }),
};

export type MapVariables = Parsed<typeof mapVariables>;
