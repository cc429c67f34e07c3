// In-process bus with Kafka's semantics where the hub relies on them: fixed partitions per topic,
// per-key order via Kafka's own partitioner, offsets and positions, consumer groups that share
// partitions and commit after the handler, broadcast consumers, seek. Memory is bounded by a
// per-partition record limit (oldest dropped; compacted topics keep the latest record per key).
import { randomUUID } from 'node:crypto';
import type { PartitionMetadata } from 'kafkajs';
import { rememberingPartitioner } from './partitioner.ts';
import type { Logger } from 'pino';
import type { CloudEvent } from '../events/envelope.ts';
import { TOPIC_SPECS, type TopicSpec } from '../events/catalog.ts';
import type { BusMetrics } from '../observability/metrics.ts';
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
  StartPosition,
  TopicPartition,
} from './types.ts';

const MAX_BATCH = 500;

interface StoredRecord extends FetchedRecord {
  offsetNum: number;
}

class PartitionLog {
  private records: StoredRecord[] = [];
  next = 0;
  private waiters = new Set<() => void>();

  private readonly retention: number;
  private readonly compacted: boolean;

  constructor(retention: number, compacted: boolean) {
    this.retention = retention;
    this.compacted = compacted;
  }

  get low(): number {
    return this.records[0]?.offsetNum ?? this.next;
  }

  append(r: Omit<StoredRecord, 'offset' | 'offsetNum'>): number {
    const offsetNum = this.next++;
    this.records.push({ ...r, offset: String(offsetNum), offsetNum });
    // Trim in chunks so appends stay O(1) amortised.
    if (this.records.length > this.retention + Math.max(64, this.retention >> 4)) this.trim();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    return offsetNum;
  }

  private trim(): void {
    if (!this.compacted) {
      this.records.splice(0, this.records.length - this.retention);
      return;
    }
    const latest = new Map<string | null, number>();
    this.records.forEach((r, i) => latest.set(r.key, i));
    const keep = this.records.filter((r, i) => latest.get(r.key) === i);
    this.records = keep.length > this.retention ? keep.slice(keep.length - this.retention) : keep;
  }

  /** Records with offset >= from (offsets may be sparse after compaction). */
  read(from: number, max: number): StoredRecord[] {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.offsetNum < from) lo = mid + 1;
      else hi = mid;
    }
    return this.records.slice(lo, lo + max);
  }

  offsetForTimestamp(ts: number): number {
    const r = this.records.find((x) => x.timestamp >= ts);
    return r ? r.offsetNum : this.next;
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = () => {
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  wakeAll(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

interface TopicState {
  spec: TopicSpec;
  partitions: PartitionLog[];
  metadata: PartitionMetadata[];
}

class Group {
  readonly members: EmbeddedConsumer[] = [];
  readonly committed = new Map<string, number>();
  private rebalancing: Promise<void> = Promise.resolve();

  readonly id: string;

  constructor(id: string) {
    this.id = id;
  }

  /** Serialised so a revoke always finishes (work committed) before the partition is reassigned. */
  rebalance(bus: EmbeddedBus): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      const members = this.members.filter((m) => !m.stopping);
      const plan = new Map<EmbeddedConsumer, TopicPartition[]>(members.map((m) => [m, []]));
      const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
      let i = 0;
      for (const topic of topics) {
        const subscribers = members.filter((m) => m.topics.includes(topic));
        const count = bus.topic(topic).partitions.length;
        for (let p = 0; p < count; p++)
          plan.get(subscribers[i++ % subscribers.length]!)!.push({ topic, partition: p });
      }
      await Promise.all(this.members.map((m) => m.revokeExcept(plan.get(m) ?? [])));
      for (const [m, tps] of plan) m.assign(tps);
      for (const m of members) m.notifyAssignment();
    });
    return this.rebalancing;
  }
}

const tpKey = (topic: string, partition: number) => `${topic}/${partition}`;

class PartitionLoop {
  readonly abort = new AbortController();
  position = -1;
  seekTo: number | null = null;
  done: Promise<void> = Promise.resolve();
  readonly topic: string;
  readonly partition: number;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }
}

class EmbeddedConsumer implements Consumer {
  stopping = false;
  private loops = new Map<string, PartitionLoop>();
  readonly topics: string[];

  private readonly bus: EmbeddedBus;
  private readonly group: Group;
  private readonly options: ConsumeOptions;

  constructor(bus: EmbeddedBus, group: Group, options: ConsumeOptions) {
    this.bus = bus;
    this.group = group;
    this.options = options;
    this.topics = [...options.topics];
  }

  get groupId(): string {
    return this.group.id;
  }

  assignment(): TopicPartition[] {
    return [...this.loops.values()].map((l) => ({ topic: l.topic, partition: l.partition }));
  }

  seek(topic: string, partition: number, offset: string): void {
    const loop = this.loops.get(tpKey(topic, partition));
    if (!loop) throw new Error(`cannot seek ${topic}/${partition}: not assigned to this consumer`);
    loop.seekTo = Number(offset);
    this.bus.topic(topic).partitions[partition]!.wakeAll();
  }

  async revokeExcept(keep: TopicPartition[]): Promise<void> {
    const keepKeys = new Set(keep.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = [...this.loops.entries()].filter(([k]) => !keepKeys.has(k));
    for (const [, loop] of revoked) loop.abort.abort();
    await Promise.all(revoked.map(([, loop]) => loop.done));
    for (const [k] of revoked) this.loops.delete(k);
  }

  assign(tps: TopicPartition[]): void {
    if (this.stopping) return;
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition);
      if (this.loops.has(k)) continue;
      const loop = new PartitionLoop(tp.topic, tp.partition);
      this.loops.set(k, loop);
      loop.done = this.run(loop);
    }
  }

  private notified: string | null = null;

  /** Tells the owner its partitions after a rebalance, once per distinct assignment. */
  notifyAssignment(): void {
    const now = this.assignment();
    const signature = JSON.stringify(now);
    if (signature === this.notified) return;
    this.notified = signature;
    void Promise.resolve(this.options.onAssignment?.(now)).catch((err: unknown) =>
      this.bus.logger.error({ err, group: this.groupId }, 'onAssignment failed'),
    );
  }

  private startOffset(log: PartitionLog, start: StartPosition | undefined): number {
    if (start === 'latest') return log.next;
    if (start === undefined || start === 'earliest') return log.low;
    return log.offsetForTimestamp(start.timestamp);
  }

  private async run(loop: PartitionLoop): Promise<void> {
    const state = this.bus.topic(loop.topic);
    const log = state.partitions[loop.partition]!;
    const k = tpKey(loop.topic, loop.partition);
    loop.position = this.group.committed.get(k) ?? this.startOffset(log, this.options.start);
    const ctx = {
      spec: state.spec,
      partition: loop.partition,
      groupId: this.groupId,
      handler: this.options.handler,
      publishDeadLetters: deadLettersWanted(this.options)
        ? (records: PublishRecord[]) => this.bus.publish(DLQ_TOPIC, records)
        : null,
      metrics: this.bus.metrics,
      logger: this.bus.logger,
      signal: loop.abort.signal,
    };
    while (!loop.abort.signal.aborted) {
      if (loop.seekTo !== null) {
        loop.position = loop.seekTo;
        loop.seekTo = null;
      }
      // Like auto.offset.reset=earliest when retention dropped what we had not read yet.
      if (loop.position < log.low) loop.position = log.low;
      const records = log.read(loop.position, MAX_BATCH);
      if (records.length === 0) {
        await log.wait(loop.abort.signal);
        continue;
      }
      const last = records[records.length - 1]!.offsetNum;
      const done = await processBatch(ctx, records, log.next - last - 1);
      if (!done) break;
      if (loop.seekTo === null) loop.position = last + 1;
      this.group.committed.set(k, loop.position);
      // Yield so one busy partition cannot starve the others or the publisher.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const i = this.group.members.indexOf(this);
    if (i >= 0) this.group.members.splice(i, 1);
    await this.revokeExcept([]);
    if (this.group.members.length > 0) await this.group.rebalance(this.bus);
    this.bus.forget(this);
  }
}

export interface EmbeddedBusOptions {
  logger: Logger;
  metrics: BusMetrics;
  /** Records kept per partition. */
  retentionRecords: number;
}

export class EmbeddedBus implements Bus {
  readonly kind = 'embedded';
  readonly logger: Logger;
  readonly metrics: BusMetrics;
  private readonly topics = new Map<string, TopicState>();
  private readonly groups = new Map<string, Group>();
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly partitioner = rememberingPartitioner();
  private closed = false;

  private readonly options: EmbeddedBusOptions;

  constructor(options: EmbeddedBusOptions) {
    this.options = options;
    this.logger = options.logger;
    this.metrics = options.metrics;
    for (const spec of TOPIC_SPECS) {
      this.topics.set(spec.name, {
        spec,
        partitions: Array.from(
          { length: spec.partitions },
          () => new PartitionLog(options.retentionRecords, spec.cleanupPolicy === 'compact'),
        ),
        metadata: Array.from({ length: spec.partitions }, (_, p) => ({
          partitionErrorCode: 0,
          partitionId: p,
          leader: 0,
          replicas: [0],
          isr: [0],
        })),
      });
    }
  }

  topic(name: string): TopicState {
    const t = this.topics.get(name);
    if (!t) specFor(name); // throws the catalogue's error
    return t!;
  }

  async start(): Promise<void> {}

  async publish(topic: string, records: PublishRecord[]): Promise<void> {
    // The validated event (defaults filled in), as a Kafka consumer would decode it.
    this.append(topic, encodeRecords(topic, records));
    return Promise.resolve();
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    this.append(topic, records);
    return Promise.resolve();
  }

  private append(topic: string, records: (RawRecord & { event?: CloudEvent | null })[]): void {
    if (this.closed) throw new Error('bus is closed');
    const state = this.topic(topic);
    const now = Date.now();
    for (const r of records) {
      const partition =
        r.key === null
          ? Math.floor(Math.random() * state.partitions.length)
          : this.partitioner({
              topic,
              partitionMetadata: state.metadata,
              message: { key: r.key, value: r.value },
            });
      state.partitions[partition]!.append({
        key: r.key,
        value: r.value,
        timestamp: now,
        headers: r.headers ?? {},
        ...(r.event === undefined ? {} : { event: r.event }),
      });
    }
    this.metrics.published.inc({ topic }, records.length);
  }

  async consume<N extends string>(typed: ConsumeOptions<N>): Promise<Consumer> {
    const options = untypedOptions(typed);
    for (const t of options.topics) this.topic(t);
    const groupId = options.mode === 'broadcast' ? `${options.groupId}-${randomUUID()}` : options.groupId;
    let group = this.groups.get(groupId);
    if (!group) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    const consumer = new EmbeddedConsumer(this, group, options);
    group.members.push(consumer);
    this.consumers.add(consumer);
    await group.rebalance(this);
    return consumer;
  }

  forget(consumer: EmbeddedConsumer): void {
    this.consumers.delete(consumer);
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return Promise.resolve(
      this.topic(topic).partitions.map((log, partition) => ({
        partition,
        low: String(log.low),
        high: String(log.next),
      })),
    );
  }

  async health(): Promise<void> {
    if (this.closed) throw new Error('embedded bus is closed');
    return Promise.resolve();
  }

  async stopConsumers(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }

  async close(): Promise<void> {
    await this.stopConsumers();
    this.closed = true;
  }

  get retentionRecords(): number {
    return this.options.retentionRecords;
  }
}
