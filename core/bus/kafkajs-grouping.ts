// kafkajs 2.2.4 groups a send's records per partition with
//   messages.reduce((r, m) => Object.assign(r, { [p]: [...r[p], m] }), {})
// which copies a partition's list again for every record: quadratic in the records of a send.
// At ingest rates (sends of up to thousands of records) that was 3-4 % of the hub's CPU.
// The replacement appends instead, with the same result: the same partitioner called once per
// record in order, the same keys, the records in the same order.
//
// kafkajs's sendMessages takes the function when it first loads, so the replacement has to be in
// Node's module cache before that: core/bus/kafkajs.ts, the one module that imports kafkajs,
// imports this module first (and a lint rule keeps it the one).
import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);
export const GROUPING_MODULE = 'kafkajs/src/producer/groupMessagesPerPartition.js';
const SEND_MESSAGES_MODULE = 'kafkajs/src/producer/sendMessages.js';

interface GroupingArgs<M> {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly M[];
  partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: M }) => number;
}

export function groupMessagesPerPartition<M>({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: GroupingArgs<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

/**
 * Puts the replacement in the module cache. False when kafkajs's producer has already loaded
 * (it keeps the original then) or the file is not where kafkajs 2.2.4 has it.
 */
function install(): boolean {
  let path: string;
  let sendMessages: string;
  try {
    path = require.resolve(GROUPING_MODULE);
    sendMessages = require.resolve(SEND_MESSAGES_MODULE);
  } catch {
    return false;
  }
  if (require.cache[sendMessages]) return require.cache[path]?.exports === groupMessagesPerPartition;
  const entry = new Module(path);
  entry.filename = path;
  entry.loaded = true;
  entry.exports = groupMessagesPerPartition;
  require.cache[path] = entry;
  return true;
}

export const groupingInstalled = install();
