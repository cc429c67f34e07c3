// The audit log of staff actions: the append-only audit_log table (0900), recordAudit for the
// modules whose staff actions it records, and /v1/staff/audit (+ .csv).
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerAuditRoutes } from './routes.ts';

export { recordAudit, type AuditEntry } from './store.ts';

export const auditModule: FeatureModule = {
  name: 'audit',
  components: { api: routesComponent('/v1', registerAuditRoutes) },
};

export * from './schemas.ts';
