import type { Logger } from 'pino';
import type { BusConfig } from '../config/index.ts';
import type { BusMetrics } from '../observability/metrics.ts';
import { EmbeddedBus } from './embedded.ts';
import type { Bus } from './types.ts';

export * from './types.ts';
export { InvalidEventError, UnknownTopicError } from './records.ts';
export { EmbeddedBus } from './embedded.ts';

/**
 * Kafka when KAFKA_BROKERS is set, else the in-process bus. kafkajs is imported only when chosen
 * (import KafkaBus from ./kafka.ts), so an embedded hub does not load it.
 */
export async function createBus(
  config: BusConfig,
  deps: { logger: Logger; metrics: BusMetrics },
): Promise<Bus> {
  const logger = deps.logger.child({ component: 'bus', adapter: config.kind });
  if (config.kind === 'kafka') {
    const { KafkaBus } = await import('./kafka.ts');
    return new KafkaBus({
      brokers: config.brokers,
      clientId: config.clientId,
      topicPrefix: config.topicPrefix,
      logger,
      metrics: deps.metrics,
    });
  }
  return new EmbeddedBus({ logger, metrics: deps.metrics, retentionRecords: config.retentionRecords });
}
