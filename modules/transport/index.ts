// Coach and rail tickets with seat holds: /v1/departures, /v1/tickets; bookings.v1 events; the
// transport tables (0302). Other modules and app/ import this file only.
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerTransportRoutes } from './routes.ts';
import { transportSeeder } from './seed.ts';

export { expireHolds } from './store.ts';

export { ticketPayable } from './payable.ts';

export const transportModule: FeatureModule = {
  name: 'transport',
  seeders: [transportSeeder],
  components: { api: routesComponent('/v1', registerTransportRoutes) },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
