// Fanout: reads every partition of the live topics (broadcast: gateways do not split them),
// maps each event to its channels, builds one frame per channel (the record's bytes are
// embedded as they are, never re-encoded; a derived event, a reading's AQI, is encoded the first
// time it is sent or replayed) and hands the same Buffer to the channel's history and to every
// subscriber. On start it reads back up to `replayRecords` per partition so a
// fresh gateway can serve clients that were on another gateway before.
import type { Logger } from 'pino';
import type { Batch, Bus, Consumer, PartitionOffsets, TopicName } from '../core/bus/index.ts';
import { backoffDelay, sleep } from '../core/retry.ts';
import type { StreamConfig } from '../core/config/sections/stream.ts';
import { tpKey, type Cursor } from './client/cursor.ts';
import type { CloudEvent } from '../core/events/envelope.ts';
import {
  channelFeeds,
  channelsFor,
  derivationFor,
  FED_TOPICS,
  type Channel,
  type Derivation,
} from './channels.ts';
import { History, type Entry, type Recovery } from './history.ts';
import type { StreamMetrics } from './metrics.ts';
import { framedPayload } from './ws-frame.ts';

/** What fanout needs from a connection. */
export interface Subscriber {
  deliver(channel: string, entry: Entry): void;
}

const SWEEP_MS = 1_000;

/** Lets timers, I/O and other connections' frames run before the next chunk. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A channel's entry whose event is made from the record (a reading's AQI), on first use: a record
 * nobody on that channel receives costs no work, and nothing of the decoded record is kept for it
 * (kept, 20,000 readings a second lived into the old generation: 1.5 µs more per delivery). The
 * record's event is read back from the frame of a sibling entry, which holds its bytes anyway.
 */
class DerivedEntry implements Entry {
  // A class, not an object literal with a getter: every entry then has one of two stable shapes
  // for the history and connection code that reads them. In bench:ws's 1,000-channel case a
  // literal cost +0.1 to +2.3 µs per delivery over the code before (five pairs), this +0.2 to +0.6.
  readonly tp: string;
  readonly offset: number;
  readonly channels: readonly string[];
  readonly key: string;
  private readonly head: string;
  private readonly derivation: Derivation;
  private sibling: Entry | null;
  private made: Buffer | null = null;

  constructor(
    tp: string,
    offset: number,
    channels: readonly string[],
    key: string,
    head: string,
    derivation: Derivation,
    sibling: Entry,
  ) {
    this.tp = tp;
    this.offset = offset;
    this.channels = channels;
    this.key = key;
    this.head = head;
    this.derivation = derivation;
    this.sibling = sibling;
  }

  get frame(): Buffer {
    if (!this.made) {
      const { event } = JSON.parse(this.sibling!.frame.toString()) as { event: CloudEvent };
      this.made = framedPayload([this.head, JSON.stringify(this.derivation.make(event)), '}']);
      this.sibling = null; // made: the sibling may go with its own channel's history
    }
    return this.made;
  }
}

export class Fanout {
  readonly history: History;
  private readonly index = new Map<string, Set<Subscriber>>();
  /** Per record being sent in chunks, who (re)subscribed meanwhile (history served them). */
  private readonly joinedMidFanout = new Set<Set<Subscriber>>();
  private consumer: Consumer | null = null;
  /** tps whose replay seek is in place; deliveries before it are dropped (they come again). */
  private readonly armed = new Set<string>();
  private readonly targets = new Map<string, number>();
  private caughtUp = false;
  private readonly waiting: (() => void)[] = [];
  private sweeper: NodeJS.Timeout | null = null;

  private readonly bus: Bus;
  private readonly config: StreamConfig;
  private readonly logger: Logger;
  private readonly metrics: StreamMetrics;

  constructor(bus: Bus, config: StreamConfig, logger: Logger, metrics: StreamMetrics) {
    this.bus = bus;
    this.config = config;
    this.logger = logger;
    this.metrics = metrics;
    this.history = new History(config.historySize, config.historyMs);
  }

  async start(): Promise<void> {
    const starts: [string, number, number][] = [];
    for (const topic of FED_TOPICS) {
      for (const o of await this.offsetsOf(topic)) {
        const low = Number(o.low);
        const high = Number(o.high);
        const from = Math.max(low, high - this.config.replayRecords);
        this.history.startPartition(topic, o.partition, from);
        this.targets.set(tpKey(topic, o.partition), high - 1);
        starts.push([topic, o.partition, from]);
      }
    }
    this.consumer = await this.bus.consume({
      mode: 'broadcast',
      groupId: 'stream-gateway',
      topics: FED_TOPICS,
      start: 'latest',
      deadLetters: false,
      concurrency: 6,
      handler: (batch) => this.onBatch(batch),
    });
    // Seek every partition (even to where it already is) and only then accept its records, so
    // whatever the consumer fetched before the seek is read again in order.
    for (const [topic, partition, from] of starts) {
      this.consumer.seek(topic, partition, String(from));
      this.armed.add(tpKey(topic, partition));
    }
    this.checkCaughtUp();
    this.sweeper = setInterval(() => this.history.sweep(Date.now()), SWEEP_MS);
    this.sweeper.unref();
    const timer = setTimeout(() => {
      if (this.caughtUp) return;
      this.logger.warn(
        { behind: [...this.targets.keys()] },
        'gateway history replay did not reach the start offsets in 30 s; serving anyway',
      );
      this.markCaughtUp();
    }, 30_000);
    timer.unref();
  }

  /** Partition offsets; retried for a while, as right after topic creation leaders move. */
  private async offsetsOf(topic: string): Promise<PartitionOffsets[]> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.bus.offsets(topic);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        const delay = backoffDelay(attempt, 200, 3_000);
        this.logger.warn({ err, topic, retryInMs: delay }, 'reading topic offsets failed; retrying');
        await sleep(delay);
      }
    }
  }

  /** Resolves once the history replay has reached where the topics were at start. */
  ready(): Promise<void> {
    if (this.caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  get isReady(): boolean {
    return this.caughtUp;
  }

  private async onBatch(batch: Batch<TopicName>): Promise<void> {
    const tp = tpKey(batch.topic, batch.partition);
    if (!this.armed.has(tp)) return;
    const started = performance.now();
    for (const d of batch.deliveries) {
      const offset = Number(d.offset);
      if (offset <= this.history.head(tp)) continue; // re-delivery after a rejoin or seek
      const channels = d.event && d.value ? channelsFor(d) : [];
      const sends: [string, Entry][] = [];
      if (channels.length > 0) {
        const at = `,"topic":${JSON.stringify(batch.topic)},"pos":"${d.pos}","event":`;
        const key = `${d.key ?? ''}\u0000${d.event!.type}`;
        // The record's own event in a frame of its channel: what a derived entry is made from
        // (channelsFor lists a record's own channels before any derived one).
        let own: Entry | null = null;
        for (const channel of channels) {
          const head = `{"type":"event","channel":${JSON.stringify(channel)}`;
          const derivation = derivationFor(channel, batch.topic);
          const entry: Entry = derivation
            ? new DerivedEntry(
                tp,
                offset,
                channels,
                `${d.key ?? ''}\u0000${derivation.type}`,
                head + at,
                derivation,
                own!,
              )
            : // One allocation per channel, WebSocket framing included (ws-frame.ts).
              (own = { tp, offset, channels, key, frame: framedPayload([head, at, d.value!, '}']) });
          this.history.append(channel, entry);
          sends.push([channel, entry]);
        }
      }
      // History first, then the sockets: whoever subscribes while the sends below yield is served
      // from history (and its cursor is past this record), never twice.
      this.history.advance(tp, offset, d.timestamp);
      if (sends.length > 0) await this.send(sends);
    }
    this.metrics.fanoutSeconds.observe((performance.now() - started) / 1000);
    if (!this.caughtUp) this.checkCaughtUp();
  }

  /**
   * Writes one record's entries to their channels' subscribers. A channel with more than
   * CITYSTREAM_WS_FANOUT_CHUNK subscribers is written a chunk per event-loop turn: 5,000 sockets
   * are tens of milliseconds, which would hold every other client's frames, pings and /healthz.
   * The partition's next record waits (the bus awaits the handler), so each connection still
   * gets the partition's events in order; who (re)subscribes meanwhile got this record from
   * history or is past it, so it is skipped; who leaves is skipped by its own check.
   */
  private async send(sends: [string, Entry][]): Promise<void> {
    const big = sends.some(([channel]) => (this.index.get(channel)?.size ?? 0) > this.config.fanoutChunk);
    if (!big) {
      for (const [channel, entry] of sends) {
        const subs = this.index.get(channel);
        if (subs) for (const s of subs) s.deliver(channel, entry);
      }
      return;
    }
    const joined = new Set<Subscriber>();
    this.joinedMidFanout.add(joined);
    try {
      const chunk = this.config.fanoutChunk;
      let written = 0;
      for (const [channel, entry] of sends) {
        const subs = this.index.get(channel);
        if (!subs) continue;
        for (const target of [...subs]) {
          if (written > 0 && written % chunk === 0) await yieldToLoop();
          written++;
          if (!joined.has(target)) target.deliver(channel, entry);
        }
      }
    } finally {
      this.joinedMidFanout.delete(joined);
    }
  }

  private checkCaughtUp(): void {
    for (const [tp, target] of this.targets) {
      if (this.history.head(tp) < target) return;
    }
    this.markCaughtUp();
  }

  private markCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.logger.info(this.history.stats(), 'gateway history rebuilt; serving subscriptions');
    for (const w of this.waiting.splice(0)) w();
  }

  /**
   * Registers `sub` on `channel` and says what to replay (nothing, `cut`, past `maxReplayBytes`);
   * call it and send in the same tick.
   */
  subscribe(sub: Subscriber, channel: Channel, since: Cursor | null, maxReplayBytes?: number): Recovery {
    const recovery = this.history.recover(
      channel.name,
      channelFeeds(channel).map(([t, p]) => tpKey(t, p)),
      since,
      maxReplayBytes,
    );
    let set = this.index.get(channel.name);
    if (!set) {
      set = new Set();
      this.index.set(channel.name, set);
    }
    set.add(sub);
    for (const joined of this.joinedMidFanout) joined.add(sub);
    return recovery;
  }

  unsubscribe(sub: Subscriber, channel: string): void {
    const set = this.index.get(channel);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.index.delete(channel);
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const w of this.waiting.splice(0)) w();
    await this.consumer?.stop();
  }
}
