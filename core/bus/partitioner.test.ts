import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from './kafkajs.ts';
import { describe, expect, it } from 'vitest';
import { rememberingPartitioner } from './partitioner.ts';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('remembering partitioner', () => {
  it('gives every key the partition the default partitioner gives, also when asked again', () => {
    const ours = rememberingPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [6, 3, 6, 1]) {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 12_000; i += 7) {
          const message = { key: `GZ-${i}`, value: null };
          const args = { topic: 'air.readings.v1', partitionMetadata: metadata(n), message };
          expect(ours(args)).toBe(theirs(args));
        }
      }
    }
  });

  it('leaves keyless and explicitly placed records to the default partitioner', () => {
    const ours = rememberingPartitioner();
    const partitionMetadata = metadata(6);
    expect(ours({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 4 } })).toBe(4);
    const spread = new Set<number>();
    for (let i = 0; i < 60; i++)
      spread.add(ours({ topic: 't', partitionMetadata, message: { value: null } }));
    expect(spread.size).toBe(6);
  });
});
