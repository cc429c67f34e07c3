// Payments: /v1/payments and the HMAC-signed webhook; payments.v1 events; the payments table (0304).
import { routesComponent } from '../../core/module/deps.ts';
import type { Payable, Payables } from '../../core/domain/payable.ts';
import { PAYMENT_KINDS } from '../../core/domain/statuses.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerPaymentRoutes } from './routes.ts';

export { cancelStaleIntents, settleTargetOnCancel } from './store.ts';
export { signPayload, SIGNATURE_HEADER } from './signature.ts';

/**
 * The payments module over what it can pay for: app/ passes every Payable (appointments,
 * transport, billing, fines implement them); payments never writes their tables itself.
 */
export function createPaymentsModule(payables: readonly Payable[]): FeatureModule {
  const byKind = Object.fromEntries(payables.map((p) => [p.kind, p])) as Partial<Payables>;
  const missing = PAYMENT_KINDS.filter((k) => !byKind[k]);
  if (missing.length) throw new Error(`no Payable for payment kind(s) ${missing.join(', ')}`);
  return {
    name: 'payments',
    components: { api: routesComponent('/v1', (deps) => registerPaymentRoutes(deps, byKind as Payables)) },
  };
}

// Response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
