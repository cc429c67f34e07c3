// The dashboard (web/) served at / by the api role, with the demo-mode dev-token route.
import { lazyComponent, type FeatureModule } from '../../core/runtime/context.ts';

export const dashboardModule: FeatureModule = {
  name: 'dashboard',
  components: { api: lazyComponent(async () => (await import('./index.ts')).default) },
};
