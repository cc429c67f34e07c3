import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from './support/services.ts';
import { deleteTestTopics, quietKafkaBus, testTopicPrefix } from './support/kafka.ts';
import { busContract, reading } from './contracts/bus.contract.ts';
import { REQUEST_QUEUE_MODULE } from '../core/bus/kafkajs-idle-timer.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');

if (kafka) {
  const prefix = testTopicPrefix('bus');
  afterAll(() => deleteTestTopics([kafka.value!], prefix));
  busContract(`real Kafka broker at ${kafka.value}`, () =>
    Promise.resolve(quietKafkaBus([kafka.value!], 'bus-contract', prefix)),
  );

  describe('an idle Kafka bus', () => {
    it('leaves its broker connections quiet: no request-queue check runs every millisecond', async () => {
      const bus = quietKafkaBus([kafka.value!], 'bus-idle', prefix);
      await bus.start();
      const queue = createRequire(import.meta.url)(REQUEST_QUEUE_MODULE) as {
        prototype: { checkPendingRequests: (this: unknown) => void };
      };
      const check = queue.prototype.checkPendingRequests;
      let checks = 0;
      queue.prototype.checkPendingRequests = function (this: unknown) {
        checks++;
        check.call(this);
      };
      try {
        const run = `idle-${randomUUID().slice(0, 8)}`;
        let got = 0;
        const consumer = await bus.consume({
          groupId: `g-${run}`,
          topics: ['air.readings.v1'],
          handler: async (b) => void (got += b.deliveries.length),
        });
        // Producer, admin and consumer connections have all had responses: kafkajs 2.2.4 would
        // now re-check every connection's queue every millisecond for good.
        await bus.publish('air.readings.v1', [reading(run, 1)]);
        await waitFor(() => got >= 1, 'the published reading', 30_000);
        await new Promise((r) => setTimeout(r, 500));
        checks = 0;
        await new Promise((r) => setTimeout(r, 1_000));
        // What remains: one check per response (fetches long-poll for 1 s, heartbeats).
        expect(checks).toBeLessThan(50);
        await consumer.stop();
      } finally {
        queue.prototype.checkPendingRequests = check;
        await bus.close();
      }
    }, 60_000);
  });
} else {
  describe.skip('bus contract: Kafka (KAFKA_BROKERS not reachable; run scripts/services up)', () => {});
}
