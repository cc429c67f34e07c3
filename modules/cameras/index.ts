// Traffic cameras: the ffmpeg workers of the ingest role and every camera HTTP route (/v1/cameras,
// the workers' snapshot files, the demo sources); camera.registry/snapshots/status.v1.
import type { FeatureModule } from '../../core/runtime/context.ts';
import startCameraIngest from './ingest.ts';
import startCamerasApi from './routes.ts';

export const camerasModule: FeatureModule = {
  name: 'cameras',
  components: { ingest: startCameraIngest, api: startCamerasApi },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
