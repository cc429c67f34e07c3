// Prometheus view of the outbox: what the relay has sent and what is still waiting. A growing
// backlog means events are committed but not reaching the bus (broker down, relay stuck).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/types.ts';

export function createOutboxMetrics(registry: Registry, db: Db) {
  return {
    published: new Counter({
      name: 'citystream_outbox_published_total',
      help: 'Outbox events published to the bus by this process',
      labelNames: ['topic'],
      registers: [registry],
    }),
    backlog: new Gauge({
      name: 'citystream_outbox_unpublished',
      help: 'Committed outbox events not yet published',
      registers: [registry],
      async collect() {
        const { rows } = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        );
        this.set(rows[0]?.n ?? 0);
      },
    }),
  };
}

export type OutboxMetrics = ReturnType<typeof createOutboxMetrics>;
