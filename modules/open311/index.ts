// Open311 GeoReport v2 over the incidents module: /open311/v2/...
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { OPEN311_PREFIX, registerOpen311Routes } from './routes.ts';

export const open311Module: FeatureModule = {
  name: 'open311',
  components: { api: routesComponent(OPEN311_PREFIX, registerOpen311Routes) },
};
