// Integrator keys in the database (0910): /v1/staff/keys, and the sync that keeps every process's
// key registry current over integrator-keys.v1 and records each key's usage.
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { startComponents } from '../../core/runtime/context.ts';
import { registerKeyRoutes } from './routes.ts';
import { keySync } from './sync.ts';

export const integratorKeysModule: FeatureModule = {
  name: 'integrator-keys',
  components: {
    api: (ctx) => startComponents(ctx, [keySync, routesComponent('/v1', registerKeyRoutes)]),
    ingest: keySync,
  },
};

export * from './schemas.ts';
