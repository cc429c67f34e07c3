// Test hygiene on the shared broker: each test file works under its own topic prefix and
// deletes its topics afterwards so the broker does not accumulate thousands of partitions.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from '../../core/bus/kafkajs.ts';
import { Registry } from 'prom-client';
import { KafkaBus } from '../../core/bus/kafka.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { createBusMetrics } from '../../core/observability/metrics.ts';

export const testTopicPrefix = (area: string) => `test.${area}.${randomUUID().slice(0, 8)}.`;

export async function deleteTestTopics(brokers: string[], prefix: string): Promise<void> {
  if (!prefix.startsWith('test.')) throw new Error(`refusing to delete topics outside test.*: ${prefix}`);
  const admin = new Kafka({ clientId: 'test-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

/** A Kafka bus (not started) for a test or bench of its own: no log lines, its own metrics. */
export function quietKafkaBus(brokers: string[], clientId: string, topicPrefix: string): KafkaBus {
  return new KafkaBus({
    brokers,
    clientId,
    topicPrefix,
    logger: silentLogger(),
    metrics: createBusMetrics(new Registry()),
  });
}
