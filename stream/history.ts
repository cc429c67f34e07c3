// Per-channel history for recovery. Each channel keeps its last `size` events and none older
// than `maxAgeMs`. Recovery is exact because the history also knows, per channel and topic
// partition, the *floor*: the highest offset below which it may be missing that channel's
// events (where this gateway started reading, what age dropped, what the count limit dropped).
// A client whose cursor is at or above every floor gets exactly the events after its cursor;
// one below a floor gets `recovered: false`.
import { tpKey, type Cursor } from './client/cursor.ts';

export interface Entry {
  /** `topic/partition` */
  tp: string;
  offset: number;
  /** Record key and event type: the conflation key of latest-wins channels. */
  key: string;
  /** The complete `event` frame for this channel, shared by every send and replay. */
  frame: Buffer;
  /**
   * Every channel the record went to, in the order they are sent (shared by the record's
   * entries): a client's position may claim the record only once it has all of them.
   */
  channels?: readonly string[];
}

class ChannelLog {
  entries: Entry[] = [];
  /** Index of the oldest live entry (shifting arrays is O(n); compact now and then instead). */
  start = 0;
  /** Per tp, the highest offset the count limit dropped. */
  readonly countFloors = new Map<string, number>();

  get length(): number {
    return this.entries.length - this.start;
  }

  shift(): Entry {
    const e = this.entries[this.start++]!;
    if (this.start > 256 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
    return e;
  }

  first(): Entry | undefined {
    return this.entries[this.start];
  }
}

interface PartitionState {
  /** Offsets below `startFloor + 1` were never read by this gateway. */
  startFloor: number;
  /** Highest offset processed (−1 / startFloor when none). */
  head: number;
  /** Every event at or below this offset has been dropped for age, on every channel. */
  ageFloor: number;
  /** (record time rounded up to the second, last offset at or before it), oldest first. */
  marks: { time: number; offset: number }[];
}

export interface Recovery {
  recovered: boolean;
  /** Events after the cursor, in the order this gateway received them. */
  replay: Entry[];
  /** Where the client is once the replay is sent: element-wise max of its cursor and our head. */
  cursor: Cursor;
  /** Offsets per tp the live stream must still skip because the client is ahead of us. */
  skip: Map<string, number> | null;
  /** The gap is covered but its events come to more than the byte budget: not replayed. */
  cut: boolean;
}

export class History {
  private readonly channels = new Map<string, ChannelLog>();
  private readonly partitions = new Map<string, PartitionState>();

  private readonly size: number;
  private readonly maxAgeMs: number;

  constructor(size: number, maxAgeMs: number) {
    this.size = size;
    this.maxAgeMs = maxAgeMs;
  }

  /** This gateway reads `topic/partition` from `startOffset` on. */
  startPartition(topic: string, partition: number, startOffset: number): void {
    const floor = startOffset - 1;
    this.partitions.set(tpKey(topic, partition), { startFloor: floor, head: floor, ageFloor: -1, marks: [] });
  }

  head(tp: string): number {
    return this.partitions.get(tp)?.head ?? -1;
  }

  append(channel: string, entry: Entry): void {
    let log = this.channels.get(channel);
    if (!log) {
      log = new ChannelLog();
      this.channels.set(channel, log);
    }
    log.entries.push(entry);
    if (log.length > this.size) {
      const dropped = log.shift();
      if (dropped.offset > (log.countFloors.get(dropped.tp) ?? -1))
        log.countFloors.set(dropped.tp, dropped.offset);
    }
  }

  /** Records that `tp` has been processed up to `offset` (whether or not it fed any channel). */
  advance(tp: string, offset: number, recordTime: number): void {
    const p = this.partitions.get(tp);
    if (!p || offset <= p.head) return;
    p.head = offset;
    // One mark per second of record time: "everything up to `offset` is no newer than `time`".
    const last = p.marks[p.marks.length - 1];
    const time = Math.max(Math.ceil(recordTime / 1000) * 1000, last?.time ?? 0);
    if (last && last.time === time) last.offset = offset;
    else p.marks.push({ time, offset });
  }

  private floor(log: ChannelLog | undefined, tp: string): number {
    const p = this.partitions.get(tp);
    // A partition this gateway does not read: nothing can be vouched for.
    if (!p) return Number.MAX_SAFE_INTEGER;
    return Math.max(p.startFloor, p.ageFloor, log?.countFloors.get(tp) ?? -1);
  }

  /**
   * What a client subscribing to `channel` with `since` must be sent. `feeds` are the topic
   * partitions that can carry the channel's events. Without `since` it starts live at our head.
   * A replay whose frames come to more than `maxReplayBytes` is not collected: the client gets
   * `recovered: false` (`cut`) rather than a backlog it could never take without being closed.
   */
  recover(
    channel: string,
    feeds: string[],
    since: Cursor | null,
    maxReplayBytes = Number.POSITIVE_INFINITY,
  ): Recovery {
    const log = this.channels.get(channel);
    const cursor: Cursor = new Map();
    for (const tp of feeds) cursor.set(tp, this.head(tp));
    if (!since) return { recovered: true, replay: [], cursor, skip: null, cut: false };

    // Every partition the channel may have events on must be vouched for by the cursor.
    const tps = new Set([...feeds, ...since.keys()]);
    if (log) {
      for (let i = log.start; i < log.entries.length; i++) tps.add(log.entries[i]!.tp);
      for (const tp of log.countFloors.keys()) tps.add(tp);
    }
    let recovered = true;
    for (const tp of tps) {
      const at = since.get(tp);
      if (at === undefined || at < this.floor(log, tp)) recovered = false;
    }

    let skip: Map<string, number> | null = null;
    for (const [tp, at] of since) {
      if (at > this.head(tp)) (skip ??= new Map()).set(tp, at);
      if (at > (cursor.get(tp) ?? -1)) cursor.set(tp, at);
    }
    let replay: Entry[] = [];
    let cut = false;
    if (recovered && log) {
      let bytes = 0;
      for (let i = log.start; i < log.entries.length; i++) {
        const e = log.entries[i]!;
        if (e.offset <= since.get(e.tp)!) continue;
        bytes += e.frame.length;
        if (bytes > maxReplayBytes) {
          cut = true;
          recovered = false;
          replay = [];
          break;
        }
        replay.push(e);
      }
    }
    return { recovered, replay, cursor, skip, cut };
  }

  /** Drops what is older than the age limit and forgets channels that no longer need a record. */
  sweep(now: number): void {
    const cutoff = now - this.maxAgeMs;
    for (const p of this.partitions.values()) {
      let n = 0;
      while (n < p.marks.length && p.marks[n]!.time < cutoff) n++;
      if (n > 0) {
        p.ageFloor = Math.max(p.ageFloor, p.marks[n - 1]!.offset);
        p.marks.splice(0, n);
      }
    }
    for (const [name, log] of this.channels) {
      for (let e = log.first(); e && e.offset <= (this.partitions.get(e.tp)?.ageFloor ?? -1); e = log.first())
        log.shift();
      for (const [tp, offset] of log.countFloors) {
        const p = this.partitions.get(tp);
        if (p && offset <= Math.max(p.startFloor, p.ageFloor)) log.countFloors.delete(tp);
      }
      // An empty log with no floor of its own says nothing the partition floors do not.
      if (log.length === 0 && log.countFloors.size === 0) this.channels.delete(name);
    }
  }

  stats(): { channels: number; events: number } {
    let events = 0;
    for (const log of this.channels.values()) events += log.length;
    return { channels: this.channels.size, events };
  }
}
