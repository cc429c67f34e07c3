// Test hygiene on the shared broker: each test file works under its own topic prefix and
// deletes its topics afterwards so the broker does not accumulate thousands of partitions.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

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
