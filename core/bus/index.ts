import type { Logger } from 'pino';
import type { BusConfig } from '../config/index.ts';
import type { BusMetrics } from '../observability/metrics.ts';
import { EmbeddedBus } from './embedded.ts';
import { KafkaBus } from './kafka.ts';
import type { Bus } from './types.ts';

export * from './types.ts';
export { InvalidEventError, UnknownTopicError } from './records.ts';
export { EmbeddedBus } from './embedded.ts';
export { KafkaBus } from './kafka.ts';

export function createBus(config: BusConfig, deps: { logger: Logger; metrics: BusMetrics }): Bus {
  const logger = deps.logger.child({ component: 'bus', adapter: config.kind });
  if (config.kind === 'kafka') {
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
