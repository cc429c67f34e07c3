// Keeps this process's key registry current: every key's state from the database at start, then
// each change as it arrives on integrator-keys.v1 (a revocation takes effect here within the bus
// latency, no restart); and writes the usage counts this process gathered back every second.
import type { Component, Running } from '../../core/runtime/context.ts';
import type { ApiKeyRegistry } from '../../core/auth/index.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import type { Consumer } from '../../core/bus/index.ts';
import { backoffDelay, sleep } from '../../core/retry.ts';
import { addUsage, listKeys, stateOf } from './store.ts';

const USAGE_FLUSH_MS = 1_000;

// A process running both the api and ingest roles syncs its one registry once.
const syncing = new WeakSet<ApiKeyRegistry>();

export const keySync: Component = async (ctx): Promise<Running> => {
  if (syncing.has(ctx.apiKeys)) return { async stop() {} };
  syncing.add(ctx.apiKeys);
  const logger = ctx.logger.child({ component: 'integrator-keys' });
  const db = await ctx.db();
  // Subscribed before the load, so no change falls between the two; states carry their change
  // time, so whichever arrives last, the newest wins (ApiKeyRegistry.apply).
  const subscribe = () =>
    ctx.bus.consume({
      mode: 'broadcast',
      groupId: `integrator-keys-${ctx.config.instanceId}`,
      topics: [TOPICS.integratorKeys.name],
      start: 'earliest',
      handler: async (batch) => {
        for (const d of batch.deliveries) if (d.event) ctx.apiKeys.apply(d.event.data);
      },
    });
  // A topic created a moment ago may not answer offset requests yet ("not the leader"): retry
  // for a while rather than fail start-up.
  let consumer: Consumer | undefined;
  for (let attempt = 0; !consumer; attempt++) {
    try {
      consumer = await subscribe();
    } catch (err) {
      if (attempt >= 8) throw err;
      logger.warn({ err: (err as Error).message, attempt }, 'key changes not subscribed yet; retrying');
      await sleep(backoffDelay(attempt, 250, 3_000));
    }
  }
  for (const row of await listKeys(db)) ctx.apiKeys.apply(stateOf(row));

  let flushing: Promise<void> = Promise.resolve();
  const flush = () =>
    (flushing = flushing.then(async () => {
      const usage = ctx.apiKeys.drainUsage();
      if (usage.size === 0) return;
      try {
        await addUsage(db, usage);
      } catch (err) {
        ctx.apiKeys.restoreUsage(usage);
        logger.warn({ err: (err as Error).message }, 'key usage not written yet; kept for the next try');
      }
    }));
  const timer = setInterval(() => void flush(), USAGE_FLUSH_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await consumer?.stop();
      await flush();
      syncing.delete(ctx.apiKeys);
    },
  };
};
