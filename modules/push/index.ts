// Web Push: /v1/push (VAPID key, subscriptions, preferences); the notifier consuming bookings.v1,
// payments.v1, incidents.v1 and air.readings.v1 (AQI alerts) into a queue; the sender delivering it; the push
// tables (0610). Runs in the api role, where the database is.
import type { Component, FeatureModule } from '../../core/runtime/context.ts';
import { startNotifier } from './notifier.ts';
import { registerPushRoutes } from './routes.ts';
import { PushSender } from './sender.ts';
import { loadVapidKeys } from './vapid.ts';

const startPush: Component = async (ctx) => {
  const logger = ctx.logger.child({ component: 'push' });
  const db = await ctx.db();
  const vapid = await loadVapidKeys(ctx.config.push, ctx.config.dataDir, logger);
  await ctx.http.register(
    async (scoped) =>
      registerPushRoutes({ app: scoped, db, publicKey: vapid.publicKey, hosts: ctx.config.push.hosts }),
    { prefix: '/v1' },
  );
  const sender = new PushSender({
    db,
    clock: ctx.clock,
    logger,
    config: ctx.config.push,
    vapid,
    registry: ctx.metrics.registry,
  });
  const notifier = await startNotifier({
    bus: ctx.bus,
    db,
    clock: ctx.clock,
    logger,
    wake: () => sender.wake(),
  });
  sender.start();
  return {
    async stop() {
      await notifier.stop();
      await sender.stop();
    },
  };
};

export const pushModule: FeatureModule = {
  name: 'push',
  components: { api: startPush },
};

export { inQuietHours } from './sender.ts';
export { HOLD_WARNING_MS } from './notifier.ts';

// Request and response shapes, for clients in this repository (web/ imports their types only).
export * from './schemas.ts';
