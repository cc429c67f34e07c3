import { Registry } from 'prom-client';
import { afterAll, describe } from 'vitest';
import { createBusMetrics } from '../observability/metrics.ts';
import { silentLogger } from '../observability/logger.ts';
import { serviceAvailable } from '../../test/support/services.ts';
import { deleteTestTopics, testTopicPrefix } from '../../test/support/kafka.ts';
import { busContract } from './bus.contract.ts';
import { KafkaBus } from './kafka.ts';

const kafka = await serviceAvailable('kafka');

if (kafka) {
  const prefix = testTopicPrefix('bus');
  afterAll(() => deleteTestTopics([kafka.value!], prefix));
  busContract(`real Kafka broker at ${kafka.value}`, () =>
    Promise.resolve(
      new KafkaBus({
        brokers: [kafka.value!],
        clientId: 'bus-contract',
        topicPrefix: prefix,
        logger: silentLogger(),
        metrics: createBusMetrics(new Registry()),
      }),
    ),
  );
} else {
  describe.skip('bus contract: Kafka (KAFKA_BROKERS not reachable; run scripts/services up)', () => {});
}
