// Electricity bills: /v1/utilities/electricity/...; the bills and fines tables (0303_billing, one
// file for both so existing databases keep its name). Other modules and app/ import this file only.
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerBillingRoutes } from './routes.ts';
import { billingSeeder } from './seed.ts';

export { billPayable } from './payable.ts';

export const billingModule: FeatureModule = {
  name: 'billing',
  seeders: [billingSeeder],
  components: { api: routesComponent('/v1', registerBillingRoutes) },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
