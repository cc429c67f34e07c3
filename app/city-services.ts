// What the api role runs around the city-services modules: demo data, the outbox relay carrying
// their events to the bus, and the periodic upkeep. The modules' routes start inside
// `withCityServices`, on a context whose nudgeOutbox() wakes this relay.
import { seedDemoData } from '../core/db/seed.ts';
import { OutboxRelay } from '../core/outbox/relay.ts';
import { createOutboxMetrics } from '../core/outbox/metrics.ts';
import { startComponents, type Component } from '../core/runtime/context.ts';
import { startMaintenance } from './maintenance.ts';
import { CITY_SERVICE_MODULES, seedersOf } from './modules.ts';

const MAINTENANCE_EVERY_MS = 5_000;

/** Runs `components` with the relay started first and the maintenance timer last. */
export const withCityServices =
  (components: readonly Component[]): Component =>
  async (ctx) => {
    const logger = ctx.logger.child({ component: 'city-services' });
    const db = await ctx.db();
    if (ctx.config.api.webhook.isDevSecret) {
      logger.warn(
        'CITYSTREAM_PAYMENT_WEBHOOK_SECRET is unset: webhooks are checked with the public dev secret',
      );
    }
    if (ctx.config.demo) {
      const seeded = await seedDemoData(db, seedersOf(CITY_SERVICE_MODULES));
      if (seeded.length) logger.info({ seeded }, 'seeded demo city-services data');
    }

    const relay = new OutboxRelay({
      db,
      bus: ctx.bus,
      logger: logger.child({ component: 'outbox-relay' }),
      pollMs: ctx.config.api.outboxPollMs,
      metrics: createOutboxMetrics(ctx.metrics.registry, db),
    });
    relay.start();
    const nudgeOutbox = () => relay.nudge();
    let running: { stop(): Promise<void> };
    try {
      running = await startComponents({ ...ctx, nudgeOutbox }, components);
    } catch (err) {
      await relay.stop();
      throw err;
    }
    const maintenance = startMaintenance(
      db,
      logger,
      MAINTENANCE_EVERY_MS,
      ctx.config.api.paymentIntentTtlSeconds,
      ctx.clock,
      nudgeOutbox,
    );
    return {
      async stop() {
        await maintenance.stop();
        await running.stop();
        await relay.stop();
      },
    };
  };
