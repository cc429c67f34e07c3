import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe } from 'vitest';
import { createBusMetrics } from '../observability/metrics.ts';
import { createLogger, silentLogger } from '../observability/logger.ts';
import { serviceAvailable } from '../../test/support/services.ts';
import { busContract } from './bus.contract.ts';
import { KafkaBus } from './kafka.ts';

const kafka = await serviceAvailable('kafka');

if (kafka) {
  busContract(`real Kafka broker at ${kafka.value}`, () =>
    Promise.resolve(
      new KafkaBus({
        brokers: [kafka.value!],
        clientId: 'bus-contract',
        topicPrefix: `test.${randomUUID().slice(0, 8)}.`,
        logger: process.env.BUS_DEBUG ? createLogger('debug') : silentLogger(),
        metrics: createBusMetrics(new Registry()),
      }),
    ),
  );
} else {
  describe.skip('bus contract: Kafka (KAFKA_BROKERS not reachable; run scripts/services up)', () => {});
}
