// Payments: /v1/payments and the HMAC-signed webhook; payments.v1 events; the payments table (0304).
import { fileURLToPath } from 'node:url';
import { routesComponent } from '../../core/module/deps.ts';
import type { FeatureModule } from '../../core/runtime/context.ts';
import { registerPaymentRoutes } from './routes.ts';

export { cancelStaleIntents, settleTargetOnCancel } from './store.ts';
export { signPayload, SIGNATURE_HEADER } from './signature.ts';

export const paymentsModule: FeatureModule = {
  name: 'payments',
  migrations: fileURLToPath(new URL('./migrations/', import.meta.url)),
  components: { api: routesComponent('/v1', registerPaymentRoutes) },
};
