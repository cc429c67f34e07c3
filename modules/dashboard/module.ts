// The dashboard (web/) served at / by the api role, with the demo-mode dev-token route.
import type { FeatureModule } from '../../core/runtime/context.ts';
import startWeb from './index.ts';

export const dashboardModule: FeatureModule = { name: 'dashboard', components: { api: startWeb } };
