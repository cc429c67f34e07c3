// The event bus contract shared by the Kafka adapter and the embedded (in-process) adapter.
// Topic names here are logical catalogue names (e.g. `air.readings.v1`); adapters add the prefix.
import type { z } from 'zod';
import type { CloudEvent } from '../events/envelope.ts';
import type { TOPICS } from '../events/catalog.ts';

// Typing by topic: the catalogue (core/events/catalog.ts) maps each topic to its event types and
// their zod schemas, so a topic name known at compile time fixes what its records carry. A topic
// given as a plain `string` falls back to `unknown` data: the adapters still check it at run time.
type CatalogueEntry = (typeof TOPICS)[keyof typeof TOPICS];
/** Logical names of the catalogue's topics. */
export type TopicName = CatalogueEntry['name'];
type EventsOn<N extends TopicName> = Extract<CatalogueEntry, { name: N }>['events'];
type EventUnion<E> = { [K in keyof E & string]: CloudEvent<z.output<E[K]>, K> }[keyof E & string];
/** The events a topic delivers (schema output), discriminated by `type`; a union over several topics. */
export type TopicEvent<N extends string> = N extends TopicName ? EventUnion<EventsOn<N>> : CloudEvent;
/** The `data` a publish to topic N accepts: the schema's input, before defaults are filled in. */
export type TopicInput<N extends string> = N extends TopicName
  ? { [K in keyof EventsOn<N>]: z.input<EventsOn<N>[K]> }[keyof EventsOn<N>]
  : unknown;

export interface PublishRecord<T = unknown> {
  /** Partitioning key: records with the same key keep their order. */
  key: string;
  /** null is a tombstone, allowed on compacted topics only. */
  event: CloudEvent<T> | null;
  headers?: Record<string, string>;
}

export interface RawRecord {
  key: string | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

export interface Delivery<T = unknown> {
  topic: string;
  partition: number;
  /** Kafka offsets are int64; kept as decimal strings. */
  offset: string;
  /** `partition:offset`: the same on every consumer, so clients can resume from it anywhere. */
  pos: string;
  key: string | null;
  /** Validated event; null for a tombstone. */
  event: CloudEvent<T> | null;
  /** The record value exactly as stored, for consumers that forward bytes without re-encoding. */
  value: Buffer | null;
  /** Record timestamp (ms since epoch). */
  timestamp: number;
  headers: Record<string, string>;
}

/** A delivery from topic N: `topic` and `event` narrow together, so `d.topic === ...` discriminates. */
export type TopicDelivery<N extends string> = N extends TopicName
  ? Omit<Delivery, 'topic' | 'event'> & { topic: N; event: TopicEvent<N> | null }
  : Delivery;

export interface Batch<N extends string = string> {
  topic: N;
  partition: number;
  deliveries: TopicDelivery<N>[];
  /** Records after this batch in the partition when it was fetched. */
  lag: number;
  /**
   * Names a delivery the handler can never process (a poison record: it passes the schema but the
   * handler or its store refuses it). Once the handler resolves, the consumer sends it to dlq.v1
   * with the reason and commits past it. Anything the handler throws instead is taken as transient
   * and the whole batch is retried.
   */
  refuse(delivery: TopicDelivery<N>, reason: string): void;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type StartPosition = 'earliest' | 'latest' | { timestamp: number };

export interface ConsumeOptions<N extends string = string> {
  /**
   * `group`: partitions are shared among the members of `groupId` and progress is committed.
   * `broadcast`: this consumer reads every partition on its own (gateways, caches); `groupId`
   * is a name prefix made unique per consumer.
   */
  mode?: 'group' | 'broadcast';
  groupId: string;
  topics: readonly N[];
  /** Where a consumer with no committed position starts. Default `earliest`. */
  start?: StartPosition;
  /**
   * Called once per fetched batch of one partition. The batch is committed only after it resolves;
   * a rejection is retried with backoff (transient faults), `batch.refuse` dead-letters a poison one.
   */
  handler: (batch: Batch<N>) => Promise<void>;
  /** Called after every rebalance with this member's partitions. */
  onAssignment?: (assigned: TopicPartition[]) => void | Promise<void>;
  /**
   * Send records that fail validation to dlq.v1 (default for `group`). Broadcast readers only
   * skip and count them: the group of record reports each bad record once.
   */
  deadLetters?: boolean;
  /** Partitions processed in parallel by this consumer (order is kept within each). Default 3. */
  concurrency?: number;
}

export interface Consumer {
  readonly groupId: string;
  assignment(): TopicPartition[];
  /** Moves the next read of a partition owned by this consumer to `offset`. */
  seek(topic: string, partition: number, offset: string): void;
  /** Finishes the batch in hand, commits it and leaves the group. */
  stop(): Promise<void>;
}

export interface PartitionOffsets {
  partition: number;
  /** Earliest offset still available. */
  low: string;
  /** Offset the next record will get. */
  high: string;
}

export interface Bus {
  readonly kind: 'kafka' | 'embedded';
  /** Connects and creates the catalogue's topics that are missing. */
  start(): Promise<void>;
  /** Validates and publishes; resolves once every record is acknowledged (all in-sync replicas). */
  publish<N extends string>(topic: N, records: PublishRecord<TopicInput<N>>[]): Promise<void>;
  /** Publishes bytes as they are, without validation: for tools and tests that must store invalid input. */
  publishRaw(topic: string, records: RawRecord[]): Promise<void>;
  /** Handlers get deliveries typed by `options.topics` (see TopicDelivery). */
  consume<N extends string>(options: ConsumeOptions<N>): Promise<Consumer>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Throws when the bus cannot be reached. */
  health(): Promise<void>;
  /**
   * Stops every consumer at once: each finishes and commits the batch in hand, then leaves its
   * group; a consumer's own stop() resolves with it. Publishing still works.
   */
  stopConsumers(): Promise<void>;
  /** Flushes pending publishes, stops consumers (committing their work) and disconnects. */
  close(): Promise<void>;
}

/**
 * The adapters' untyped view of typed options. Sound because every record reaches a handler only
 * after it was validated against the catalogue schema of its topic and event type (records.ts).
 */
export const untypedOptions = <N extends string>(options: ConsumeOptions<N>): ConsumeOptions =>
  options as unknown as ConsumeOptions;

export const pos = (partition: number, offset: string | number): string => `${partition}:${offset}`;
