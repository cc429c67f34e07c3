// The partition Kafka's producer would choose for a key (kafkajs's default, Java-compatible murmur2
// partitioner), loaded from its own file: the embedded bus and the gateway's channel map need only
// this, not the other ~140 files of kafkajs (~100 ms of every embedded hub's start-up).
import { createRequire } from 'node:module';
import type { ICustomPartitioner } from 'kafkajs';

export const defaultPartitioner = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/index.js',
) as ICustomPartitioner;
