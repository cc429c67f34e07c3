// The city-services component of the api role: appointments, transport, bills, fines, payments,
// incidents and Open311 over one database, with the outbox relay carrying their events to the bus.
import { LookupLimiter } from '../core/http/index.ts';
import type { Component } from '../core/runtime/context.ts';
import { seedDemoData } from '../core/db/seed.ts';
import { registerAppointmentRoutes } from './appointments/routes.ts';
import { registerBillingRoutes } from './billing/routes.ts';
import { registerIncidentRoutes } from './incidents/routes.ts';
import { startMaintenance } from './maintenance.ts';
import { registerOpen311Routes } from './open311/routes.ts';
import { createOutboxMetrics } from './outbox/metrics.ts';
import { OutboxRelay } from './outbox/relay.ts';
import { registerPaymentRoutes } from './payments/routes.ts';
import { cityServicesSeeders } from './seed/index.ts';
import type { ApiDeps } from './shared/deps.ts';
import { registerTransportRoutes } from './transport/routes.ts';

const MAINTENANCE_EVERY_MS = 5_000;

export const cityServices: Component = async (ctx) => {
  const logger = ctx.logger.child({ component: 'city-services' });
  const db = await ctx.db();
  const config = ctx.config.api;
  if (config.webhook.isDevSecret) {
    logger.warn(
      'CITYSTREAM_PAYMENT_WEBHOOK_SECRET is unset: webhooks are checked with the public dev secret',
    );
  }
  if (ctx.config.demo) {
    const seeded = await seedDemoData(db, cityServicesSeeders);
    if (seeded.length) logger.info({ seeded }, 'seeded demo city-services data');
  }

  const relay = new OutboxRelay({
    db,
    bus: ctx.bus,
    logger: logger.child({ component: 'outbox-relay' }),
    pollMs: config.outboxPollMs,
    metrics: createOutboxMetrics(ctx.metrics.registry, db),
  });
  relay.start();
  const deps: ApiDeps = {
    app: ctx.http,
    db,
    guards: ctx.guards,
    lookups: new LookupLimiter({ perMinute: config.http.lookupLimitPerMinute }),
    config,
    logger,
    nudge: () => relay.nudge(),
  };
  registerAppointmentRoutes(deps);
  registerTransportRoutes(deps);
  registerBillingRoutes(deps);
  registerPaymentRoutes(deps);
  registerIncidentRoutes(deps);
  registerOpen311Routes(deps);
  const maintenance = startMaintenance(
    db,
    logger,
    MAINTENANCE_EVERY_MS,
    config.paymentIntentTtlSeconds,
    deps.nudge,
  );

  return {
    async stop() {
      await maintenance.stop();
      await relay.stop();
    },
  };
};
