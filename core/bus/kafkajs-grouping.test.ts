import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Kafka } from './kafkajs.ts';
import { GROUPING_MODULE, groupMessagesPerPartition, groupingInstalled } from './kafkajs-grouping.ts';

const require = createRequire(import.meta.url);
type Grouping = typeof groupMessagesPerPartition;

/** kafkajs's own grouping, loaded apart from the cached replacement. */
function kafkajsOriginal(): Grouping {
  const path = require.resolve(GROUPING_MODULE);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as Grouping;
  } finally {
    if (cached) require.cache[path] = cached;
  }
}

describe("kafkajs's per-partition grouping, replaced", () => {
  it('gives what kafkajs gives: same partitioner calls in order, same groups, same order', () => {
    const original = kafkajsOriginal();
    const messages = Array.from({ length: 2_000 }, (_, i) => ({
      key: `k${(i * 7919) % 613}`,
      value: `${i}`,
    }));
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId }));
    for (const grouping of [original, groupMessagesPerPartition]) {
      const calls: string[] = [];
      const partitioner = ({ message }: { message: { key: string } }) => {
        calls.push(message.key);
        return Number(message.key.slice(1)) % 6;
      };
      const args = { topic: 't', partitionMetadata, messages, partitioner };
      expect({ groups: grouping(args), calls }).toEqual({
        groups: original({ ...args, partitioner: ({ message }) => Number(message.key.slice(1)) % 6 }),
        calls: messages.map((m) => m.key),
      });
      expect(grouping({ ...args, partitionMetadata: [] })).toEqual({});
    }
  });

  it('is the one kafkajs loaded, since kafkajs is imported through core/bus/kafkajs.ts', () => {
    expect(typeof Kafka).toBe('function');
    expect(groupingInstalled).toBe(true);
    expect(require(GROUPING_MODULE)).toBe(groupMessagesPerPartition);
  });
});
