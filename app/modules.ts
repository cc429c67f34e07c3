// The feature modules this hub is made of, in the order their components start (and their demo
// data is seeded); stopping runs in reverse. A module contributes components to the roles it
// takes part in and its seeders (its migrations: app/migrations.ts).
import type { Seeder } from '../core/db/seed.ts';
import type { FeatureModule } from '../core/runtime/context.ts';
import { airModule } from '../modules/air/index.ts';
import { auditModule } from '../modules/audit/index.ts';
import { appointmentPayable, appointmentsModule } from '../modules/appointments/index.ts';
import { billingModule, billPayable } from '../modules/billing/index.ts';
import { camerasModule } from '../modules/cameras/index.ts';
import { dashboardModule } from '../modules/dashboard/module.ts';
import { finePayable, finesModule } from '../modules/fines/index.ts';
import { integratorKeysModule } from '../modules/integrator-keys/index.ts';
import { deadLettersModule } from '../modules/dead-letters/index.ts';
import { incidentsModule } from '../modules/incidents/index.ts';
import { open311Module } from '../modules/open311/index.ts';
import { createPaymentsModule } from '../modules/payments/index.ts';
import { pushModule } from '../modules/push/index.ts';
import { ticketPayable, transportModule } from '../modules/transport/index.ts';

/** The city services: routes over the database, events through the outbox. */
export const CITY_SERVICE_MODULES: readonly FeatureModule[] = [
  auditModule,
  appointmentsModule,
  transportModule,
  billingModule,
  finesModule,
  createPaymentsModule([appointmentPayable, ticketPayable, billPayable, finePayable]),
  incidentsModule,
  open311Module,
];

export const MODULES: readonly FeatureModule[] = [
  ...CITY_SERVICE_MODULES,
  pushModule,
  // Before air: the ingest paths judge keys against the registry this module keeps current.
  integratorKeysModule,
  deadLettersModule,
  airModule,
  camerasModule,
  dashboardModule,
];

export const seedersOf = (modules: readonly FeatureModule[]): Seeder[] =>
  modules.flatMap((m) => m.seeders ?? []);
