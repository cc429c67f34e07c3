// Traffic cameras: the ffmpeg workers of the ingest role and every camera HTTP route (/v1/cameras,
// the workers' snapshot files, the demo sources); camera.registry/snapshots/status.v1.
import { lazyComponent, type FeatureModule } from '../../core/runtime/context.ts';

export const camerasModule: FeatureModule = {
  name: 'cameras',
  components: {
    ingest: lazyComponent(async () => (await import('./ingest.ts')).default),
    api: lazyComponent(async () => (await import('./routes.ts')).default),
  },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
