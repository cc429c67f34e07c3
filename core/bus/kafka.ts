// Kafka adapter on kafkajs. Producer: idempotent, acks from all in-sync replicas, retries with
// backoff, and natural batching (records published while a send is in flight go out together in
// the next one). Consumers: manual commits after the handler, per-partition de-duplication of
// re-deliveries after a rejoin, clean leave on stop.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer as KafkaConsumer, EachBatchPayload, LogEntry, Producer } from 'kafkajs';
import { Kafka, logLevel as KafkaLogLevel } from './kafkajs.ts';
import type { Logger } from 'pino';
import { TOPIC_SPECS } from '../events/catalog.ts';
import { backoffDelay, sleep } from '../retry.ts';
import type { BusMetrics } from '../observability/metrics.ts';
import { fixKafkajsIdleTimer } from './kafkajs-idle-timer.ts';
import { useLeanProduceEncoder } from './kafkajs-produce-encoder.ts';
import { rememberingPartitioner } from './partitioner.ts';
import { encodeRecords, specFor, DLQ_TOPIC, deadLettersWanted } from './records.ts';
import { processBatch, type FetchedRecord } from './runner.ts';
import { untypedOptions } from './types.ts';
import type {
  Bus,
  ConsumeOptions,
  Consumer,
  PartitionOffsets,
  PublishRecord,
  RawRecord,
  TopicPartition,
} from './types.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  logger: Logger;
  metrics: BusMetrics;
  /** Kafka consumer session timeout: how soon a dead member's partitions move. Default 10 s. */
  sessionTimeoutMs?: number;
}

interface Pending {
  topic: string;
  messages: { key: string | null; value: Buffer | null; headers?: Record<string, string> }[];
  bytes: number;
  started: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * kafkajs warnings about a choice made here on purpose, logged at debug: a warning at every start
 * that no operator can act on teaches operators to skip warnings. Bounded retries on the
 * idempotent producer are what lets a publish fail (and a push answer 503) while Kafka is down;
 * publishes are at-least-once and every event carries a stable id.
 */
const ON_PURPOSE: ReadonlySet<string> = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

const MAX_RECORDS_PER_SEND = 5_000;
/**
 * Bytes per send, well under the broker's default message.max.bytes (1 MiB): records of one key
 * share a partition and go in one record batch, and a batch over the limit is refused whole.
 */
const MAX_BYTES_PER_SEND = 512 * 1024;

function recordBytes(m: RawRecord): number {
  let n = 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + v.length;
  return n;
}

export class KafkaBus implements Bus {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<KafkaBusConsumer>();
  private queue: Pending[] = [];
  private sending: Promise<void> | null = null;
  private started = false;

  readonly options: KafkaBusOptions;

  constructor(options: KafkaBusOptions) {
    this.options = options;
    fixKafkajsIdleTimer();
    useLeanProduceEncoder();
    const log = options.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 10 },
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...rest } = entry.log;
        const level =
          entry.level <= KafkaLogLevel.ERROR
            ? 'error'
            : entry.level === KafkaLogLevel.WARN && !ON_PURPOSE.has(message)
              ? 'warn'
              : 'debug';
        log[level]({ namespace: entry.namespace, ...rest }, message);
      },
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: rememberingPartitioner,
      // Ride out a broker restart: ~10 attempts over ~30 s before a publish is reported failed.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 10 },
    });
    this.admin = this.kafka.admin();
  }

  realTopic(name: string): string {
    return this.options.topicPrefix + name;
  }

  logicalTopic(real: string): string {
    return real.startsWith(this.options.topicPrefix) ? real.slice(this.options.topicPrefix.length) : real;
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.admin.connect();
    await this.ensureTopics();
    await this.producer.connect();
    this.started = true;
  }

  private async ensureTopics(): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = TOPIC_SPECS.filter((s) => !existing.has(this.realTopic(s.name)));
    if (missing.length === 0) return;
    const { brokers } = await this.admin.describeCluster();
    const replicationFactor = Math.min(3, brokers.length);
    // kafkajs's own wait for leaders gives up with "does not host this topic-partition" while a
    // loaded broker catches up; untilServed waits for the same thing, bounded, and tolerates that.
    await this.admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: this.realTopic(s.name),
        numPartitions: s.partitions,
        replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: s.cleanupPolicy },
          ...(s.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(s.retentionMs) }]),
        ],
      })),
    });
    const created = missing.map((s) => this.realTopic(s.name));
    await this.untilServed(created);
    this.options.logger.info({ topics: created }, 'created Kafka topics');
  }

  /**
   * The broker a client asks next may not serve new partitions yet ("does not host this
   * topic-partition" on a loaded machine): wait, bounded, until the metadata it answers lists a
   * leader for every partition.
   */
  private async untilServed(topics: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: meta } = await this.admin.fetchTopicMetadata({ topics });
        if (meta.length === topics.length && meta.every((t) => t.partitions.every((p) => p.leader >= 0)))
          return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`Kafka topics not served within 30 s: ${topics.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async publish(topic: string, records: PublishRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.enqueue(
      topic,
      encodeRecords(topic, records).map(({ key, value, headers }) => ({ key, value, headers })),
    );
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    specFor(topic);
    if (records.length === 0) return;
    await this.enqueue(topic, records);
  }

  private enqueue(topic: string, messages: RawRecord[]): Promise<void> {
    if (!this.started) return Promise.reject(new Error('Kafka bus not started'));
    // A large call is split into sends under the byte limit; it resolves once every part is acked.
    const parts: Promise<void>[] = [];
    const started = performance.now();
    let chunk: RawRecord[] = [];
    let bytes = 0;
    const flush = () => {
      const part = { messages: chunk, bytes };
      parts.push(
        new Promise<void>((resolve, reject) => {
          this.queue.push({ topic, ...part, started, resolve, reject });
        }),
      );
      chunk = [];
      bytes = 0;
    };
    for (const m of messages) {
      const b = recordBytes(m);
      if (chunk.length > 0 && (bytes + b > MAX_BYTES_PER_SEND || chunk.length >= MAX_RECORDS_PER_SEND))
        flush();
      chunk.push(m);
      bytes += b;
    }
    if (chunk.length > 0) flush();
    this.sending ??= this.drain();
    return Promise.all(parts).then(() => undefined);
  }

  /** One send at a time (idempotent producer); whatever queued meanwhile goes in the next. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let count = 0;
        let bytes = 0;
        while (
          this.queue.length > 0 &&
          (batch.length === 0 ||
            (count + this.queue[0]!.messages.length <= MAX_RECORDS_PER_SEND &&
              bytes + this.queue[0]!.bytes <= MAX_BYTES_PER_SEND))
        ) {
          const p = this.queue.shift()!;
          batch.push(p);
          count += p.messages.length;
          bytes += p.bytes;
        }
        const byTopic = new Map<string, Pending['messages']>();
        for (const p of batch) {
          const real = this.realTopic(p.topic);
          const list = byTopic.get(real) ?? [];
          for (const m of p.messages) list.push(m);
          byTopic.set(real, list);
        }
        try {
          await this.producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
          const now = performance.now();
          for (const p of batch) {
            this.options.metrics.published.inc({ topic: p.topic }, p.messages.length);
            this.options.metrics.publishSeconds.observe((now - p.started) / 1000);
            p.resolve();
          }
        } catch (err) {
          for (const p of batch) {
            this.options.metrics.publishFailures.inc({ topic: p.topic });
            p.reject(err);
          }
        }
      }
    } finally {
      this.sending = null;
    }
  }

  async consume<N extends string>(typed: ConsumeOptions<N>): Promise<Consumer> {
    const options = untypedOptions(typed);
    for (const t of options.topics) specFor(t);
    const consumer = new KafkaBusConsumer(this, this.kafka, options);
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.consumers.delete(consumer);
      throw err;
    }
    return consumer;
  }

  forget(consumer: KafkaBusConsumer): void {
    this.consumers.delete(consumer);
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    specFor(topic);
    const offsets = await whileRetriable(() => this.admin.fetchTopicOffsets(this.realTopic(topic)));
    return offsets
      .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
      .sort((a, b) => a.partition - b.partition);
  }

  async offsetsAt(topic: string, timestamp: number): Promise<Map<number, string>> {
    const res = await whileRetriable(() =>
      this.admin.fetchTopicOffsetsByTimestamp(this.realTopic(topic), timestamp),
    );
    return new Map(res.map((r) => [r.partition, r.offset]));
  }

  async health(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Kafka did not answer within 3 s')), 3_000);
    });
    try {
      await Promise.race([this.admin.describeCluster(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stopConsumers(): Promise<void> {
    // Together: each waits for its fetch in flight (up to maxWaitTimeInMs) and a LeaveGroup.
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }

  async close(): Promise<void> {
    await this.stopConsumers();
    while (this.sending) await this.sending;
    await this.producer.disconnect();
    await this.admin.disconnect();
    this.started = false;
  }

  get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? 10_000;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get metrics(): BusMetrics {
    return this.options.metrics;
  }
}

class KafkaBusConsumer implements Consumer {
  readonly groupId: string;
  private readonly consumer: KafkaConsumer;
  private readonly stopSignal = new AbortController();
  private assigned: TopicPartition[] = [];
  /** Highest offset handled per partition in this process: re-deliveries after a rejoin are skipped. */
  private readonly handled = new Map<string, bigint>();
  private firstJoin = true;
  private stopped: Promise<void> | null = null;

  private readonly bus: KafkaBus;
  private readonly options: ConsumeOptions;

  constructor(bus: KafkaBus, kafka: Kafka, options: ConsumeOptions) {
    this.bus = bus;
    this.options = options;
    this.groupId = options.mode === 'broadcast' ? `${options.groupId}-${randomUUID()}` : options.groupId;
    this.consumer = kafka.consumer({
      groupId: this.bus.realTopic(this.groupId),
      sessionTimeout: bus.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(bus.sessionTimeoutMs / 10)),
      rebalanceTimeout: 30_000,
      maxWaitTimeInMs: 1_000,
      retry: {
        initialRetryTime: 300,
        maxRetryTime: 5_000,
        retries: 30,
        restartOnFailure: () => Promise.resolve(true),
      },
    });
  }

  assignment(): TopicPartition[] {
    return [...this.assigned];
  }

  seek(topic: string, partition: number, offset: string): void {
    this.handled.delete(`${topic}/${partition}`);
    this.consumer.seek({ topic: this.bus.realTopic(topic), partition, offset });
  }

  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.assigned = Object.entries(e.payload.memberAssignment)
        .flatMap(([real, parts]) =>
          parts.map((partition) => ({ topic: this.bus.logicalTopic(real), partition })),
        )
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      if (this.firstJoin && typeof this.options.start === 'object')
        this.seekToTimestamp(this.options.start.timestamp).catch((err: unknown) =>
          this.bus.logger.error({ err, group: this.groupId }, 'seeking to the start time failed'),
        );
      this.firstJoin = false;
      void Promise.resolve(this.options.onAssignment?.(this.assignment())).catch((err: unknown) =>
        this.bus.logger.error({ err, group: this.groupId }, 'onAssignment failed'),
      );
    });
    this.consumer.on(CRASH, (e) =>
      this.bus.logger.warn(
        { err: e.payload.error, group: this.groupId, restart: e.payload.restart },
        'Kafka consumer crashed',
      ),
    );
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.bus.realTopic(t)),
      fromBeginning: this.options.start !== 'latest',
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async seekToTimestamp(timestamp: number): Promise<void> {
    for (const topic of new Set(this.assigned.map((a) => a.topic))) {
      const offsets = await this.bus.offsetsAt(topic, timestamp);
      for (const tp of this.assigned.filter((a) => a.topic === topic)) {
        const offset = offsets.get(tp.partition);
        if (offset !== undefined && offset !== '-1') this.seek(topic, tp.partition, offset);
      }
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = this.bus.logicalTopic(batch.topic);
    const key = `${topic}/${batch.partition}`;
    const already = this.handled.get(key) ?? -1n;
    const records: FetchedRecord[] = [];
    // Offsets only grow within a batch: once the first is new, all are (no BigInt per record).
    const first = batch.messages[0];
    const allNew = first === undefined || already < 0n || BigInt(first.offset) > already;
    for (const m of batch.messages) {
      if (!allNew && BigInt(m.offset) <= already) continue;
      records.push({
        offset: m.offset,
        key: m.key === null ? null : m.key.toString('utf8'),
        value: m.value,
        timestamp: Number(m.timestamp),
        headers: decodeHeaders(m.headers),
      });
    }
    if (records.length === 0) {
      if (batch.messages.length > 0) payload.resolveOffset(batch.lastOffset());
      return;
    }
    const lost = new AbortController();
    const watch = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) lost.abort();
    }, 250);
    try {
      const done = await processBatch(
        {
          spec: specFor(topic),
          partition: batch.partition,
          groupId: this.groupId,
          handler: this.options.handler,
          publishDeadLetters: deadLettersWanted(this.options)
            ? (letters) => this.bus.publish(DLQ_TOPIC, letters)
            : null,
          metrics: this.bus.metrics,
          logger: this.bus.logger,
          signal: AbortSignal.any([this.stopSignal.signal, lost.signal]),
          keepAlive: () => payload.heartbeat(),
        },
        records,
        Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n)),
      );
      if (!done) return;
    } finally {
      clearInterval(watch);
    }
    const last = records[records.length - 1]!.offset;
    this.handled.set(key, BigInt(last));
    payload.resolveOffset(last);
    await this.commit(payload, topic, batch.partition, (BigInt(last) + 1n).toString());
  }

  /**
   * Commits `next` as the partition's position. Through the batch, not consumer.commitOffsets:
   * kafkajs 2.2.4 silently skips the latter once stop() has begun, so a batch finished during a
   * stop was handled again by the next member; the batch's own commit still reaches the group
   * (kafkajs leaves only after the batch). It has no retries of its own: a retriable failure (the
   * coordinator moving) is retried here, briefly, as kafkajs's commitOffsets did.
   */
  private async commit(payload: EachBatchPayload, topic: string, partition: number, next: string) {
    const offsets = { topics: [{ topic: payload.batch.topic, partitions: [{ partition, offset: next }] }] };
    for (let attempt = 0; ; attempt++) {
      try {
        await payload.commitOffsetsIfNecessary(offsets);
        return;
      } catch (err) {
        const retriable = (err as { retriable?: unknown } | null)?.retriable === true;
        if (!retriable || attempt >= 4 || payload.isStale()) {
          // The next successful commit covers this one; a rejoin re-delivers and `handled` skips it.
          this.bus.logger.warn(
            { err, topic, partition },
            'offset commit failed; will retry with the next batch',
          );
          return;
        }
        await sleep(backoffDelay(attempt, 300, 5_000));
      }
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopSignal.abort();
      await this.consumer.disconnect();
      this.bus.forget(this);
    })();
    return this.stopped;
  }
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Shared by every record without headers (most): nothing reads into it, and it cannot be written. */
const NO_HEADERS: Record<string, string> = Object.freeze({});

function decodeHeaders(headers: Record<string, HeaderValue> | undefined): Record<string, string> {
  if (!headers) return NO_HEADERS;
  let any = false;
  for (const _ in headers) {
    any = true;
    break;
  }
  if (!any) return NO_HEADERS;
  const out: Record<string, string> = {};
  const text = (v: Buffer | string) => (typeof v === 'string' ? v : v.toString('utf8'));
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(text).join(',') : text(v);
  }
  return out;
}

/**
 * A partition created a moment ago can be listed with a leader in the metadata while that broker
 * still answers "not the leader" to offset requests; kafkajs marks such errors retriable but its
 * admin offset calls do not retry them. Retry, bounded, so a fresh topic does not fail start-up.
 */
async function whileRetriable<T>(call: () => Promise<T>, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retriable = (err as { retriable?: unknown } | null)?.retriable === true;
      const wait = backoffDelay(attempt, 50, 1_000);
      if (!retriable || Date.now() + wait > deadline) throw err;
      await sleep(wait);
    }
  }
}
