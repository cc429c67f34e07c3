// kafkajs's default partitioner with its answer for each key remembered: the same partitions,
// without hashing the key again for every record (its murmur2 allocates a Long for every four
// bytes of the key) nor filtering the partition list for every record. Keyless records and
// records with an explicit partition go to the default partitioner as they are. Both buses use it.
import type { ICustomPartitioner } from 'kafkajs';
import { defaultPartitioner } from './key-partitioner.ts';

/** Keys remembered per topic; past this the memory starts over (keys can be user ids). */
const MAX_KEYS_PER_TOPIC = 10_000;

export const rememberingPartitioner: ICustomPartitioner = () => {
  const partition = defaultPartitioner();
  const topics = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    if (typeof message.key !== 'string' || (message.partition !== undefined && message.partition !== null))
      return partition(args);
    let known = topics.get(topic);
    if (!known || known.partitions !== partitionMetadata.length || known.byKey.size >= MAX_KEYS_PER_TOPIC) {
      known = { partitions: partitionMetadata.length, byKey: new Map() };
      topics.set(topic, known);
    }
    let p = known.byKey.get(message.key);
    if (p === undefined) {
      p = partition(args);
      known.byKey.set(message.key, p);
    }
    return p;
  };
};
