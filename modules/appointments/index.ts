// Doctor appointments: /v1/hospitals, /v1/doctors, /v1/appointments; bookings.v1 events; the
// appointments tables (0301). Other modules and app/ import this file only.
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerAppointmentRoutes } from './routes.ts';
import { hospitalsSeeder } from './seed.ts';

export { appointmentPayable } from './payable.ts';

export const appointmentsModule: FeatureModule = {
  name: 'appointments',
  seeders: [hospitalsSeeder],
  components: { api: routesComponent('/v1', registerAppointmentRoutes) },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
