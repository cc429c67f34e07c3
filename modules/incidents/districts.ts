// The district boundaries the dashboard's map draws (core/domain/districts.geojson), read once on
// the hub: an incident's district is computed here from its pin, never taken from the client.
import { readFileSync } from 'node:fs';
import { DistrictIndex, type DistrictCollection } from '../../core/domain/districts.ts';

let index: DistrictIndex | null = null;

export function districts(): DistrictIndex {
  index ??= new DistrictIndex(
    JSON.parse(
      readFileSync(new URL('../../core/domain/districts.geojson', import.meta.url), 'utf8'),
    ) as DistrictCollection,
  );
  return index;
}
