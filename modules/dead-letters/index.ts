// Dead letters for staff (0920): a consumer group keeps dlq.v1 in the dead_letters table, and
// /v1/staff/dead-letters lists, counts, replays and discards them.
import { apiDeps } from '../../core/module/deps.ts';
import type { Component, FeatureModule } from '../../core/runtime/context.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import type { Consumer } from '../../core/bus/index.ts';
import { backoffDelay, sleep } from '../../core/retry.ts';
import { Replayer } from './replay.ts';
import { registerDeadLetterRoutes } from './routes.ts';
import { storeDeadLetter } from './store.ts';

const deadLetters: Component = async (ctx) => {
  const deps = await apiDeps(ctx);
  const replayer = new Replayer(ctx.bus, ctx.config.mqtt?.url ?? null);
  await ctx.http.register(async (scoped) => registerDeadLetterRoutes({ ...deps, app: scoped }, replayer), {
    prefix: '/v1',
  });
  // One group for every api process: each dead letter is stored once (and again harmlessly after
  // a rebalance: its position is its id).
  let consumer: Consumer | undefined;
  for (let attempt = 0; !consumer; attempt++) {
    try {
      consumer = await ctx.bus.consume({
        groupId: 'staff-dead-letters',
        topics: [TOPICS.dlq.name],
        start: 'earliest',
        // A dead letter that is itself invalid is skipped, never dead-lettered again.
        deadLetters: false,
        handler: async (batch) => {
          for (const d of batch.deliveries) {
            if (d.event) await storeDeadLetter(deps.db, `${d.topic}/${d.pos}`, d.event.data);
          }
        },
      });
    } catch (err) {
      // A topic created a moment ago may not answer offset requests yet.
      if (attempt >= 8) throw err;
      await sleep(backoffDelay(attempt, 250, 3_000));
    }
  }
  return {
    async stop() {
      await consumer?.stop();
      await replayer.close();
    },
  };
};

export const deadLettersModule: FeatureModule = {
  name: 'dead-letters',
  components: { api: deadLetters },
};

export * from './schemas.ts';
