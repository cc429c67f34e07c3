// Incidents reported to police: /v1/incidents; incidents.v1 events; the incidents tables (0305).
// Open311 reaches incidents through this file.
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerIncidentRoutes } from './routes.ts';
import { registerTriageRoutes } from './triage-routes.ts';

export { CATEGORIES, categoryCode, DEPARTMENTS, type IncidentStatus } from './model.ts';
export { serviceCity } from './routes.ts';
export { createIncident, getIncident, listIncidents, type IncidentRow } from './store.ts';

export const incidentsModule: FeatureModule = {
  name: 'incidents',
  components: {
    api: routesComponent('/v1', (deps) => {
      registerIncidentRoutes(deps);
      registerTriageRoutes(deps);
    }),
  },
};

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
