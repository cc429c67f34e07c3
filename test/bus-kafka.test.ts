import { Registry } from 'prom-client';
import { afterAll, describe } from 'vitest';
import { createBusMetrics } from '../core/observability/metrics.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { serviceAvailable } from './support/services.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { busContract } from './contracts/bus.contract.ts';
import { KafkaBus } from '../core/bus/kafka.ts';

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
