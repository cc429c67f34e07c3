// Air quality: ingest (pull sources, HTTP/line-protocol/MQTT pushes, the AQI processor, the
// time-series sink) and /v1/air/... routes; air.readings.v1 and air.aqi.v1; the stations table (0101).
import { fileURLToPath } from 'node:url';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { airStationsSeeder } from './demo-stations.ts';
import { airIngest } from './ingest.ts';
import { airApi } from './routes.ts';

export const airModule: FeatureModule = {
  name: 'air',
  migrations: fileURLToPath(new URL('./migrations/', import.meta.url)),
  seeders: [airStationsSeeder],
  components: { ingest: airIngest, api: airApi },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
