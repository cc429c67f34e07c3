// Traffic fines: /v1/fines (table and demo data come with billing's 0303 migration and seeder).
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerFineRoutes } from './routes.ts';

export { finePayable } from './payable.ts';

export const finesModule: FeatureModule = {
  name: 'fines',
  components: { api: routesComponent('/v1', registerFineRoutes) },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
