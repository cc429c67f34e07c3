// Air quality: ingest (pull sources, HTTP/line-protocol/MQTT pushes, the time-series sink) and
// /v1/air/... routes; air.readings.v1; the stations table (0101).
import { lazyComponent, type FeatureModule } from '../../core/runtime/context.ts';
import { airStationsSeeder } from './demo-stations.ts';

export const airModule: FeatureModule = {
  name: 'air',
  seeders: [airStationsSeeder],
  components: {
    ingest: lazyComponent(async () => (await import('./ingest.ts')).airIngest),
    api: lazyComponent(async () => (await import('./routes.ts')).airApi),
  },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
