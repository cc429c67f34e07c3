// One live client on any transport: its identity, subscriptions, limits and send buffer. Client
// frames (WebSocket only) are handled one at a time in arrival order (an `auth` frame is verified
// before the `subscribe` that follows it is looked at). Everything the gateway sends (events,
// replays, acks, errors, pongs, heartbeats) counts against the one send-buffer limit, so a client
// that does not read cannot make the gateway hold more than that for it, however many frames it
// sends. The transport is a Wire (stream/wire.ts).
import type { Logger } from 'pino';
import { AuthError, type Principal, type TokenVerifier } from '../core/auth/index.ts';
import type { StreamConfig } from '../core/config/sections/stream.ts';
import { formatCursor, mergeCursor, parseCursor, type Cursor } from './client/cursor.ts';
import { CLOSE_CODES, type ClientFrame, type ErrorCode, type ServerFrame } from './client/protocol.ts';
import { channelFeeds, FAMILIES, isConflatable, parseChannel, type Channel } from './channels.ts';
import type { Fanout, Subscriber } from './fanout.ts';
import { parseClientFrame, peekId } from './frames.ts';
import type { Entry } from './history.ts';
import type { StreamMetrics } from './metrics.ts';
import { refusal } from './permissions.ts';
import { TokenBucket } from './rate-limit.ts';
import type { Wire } from './wire.ts';
import { framedPayload } from './ws-frame.ts';

export interface ConnectionDeps {
  config: StreamConfig;
  tokens: TokenVerifier;
  fanout: Fanout;
  metrics: StreamMetrics;
  logger: Logger;
}

interface Subscription {
  conflatable: boolean;
  /** Per tp, offsets already delivered to the client by another gateway that is ahead of us. */
  skip: Map<string, number> | null;
}

/** How a connection starts: a token still to verify (WebSocket), or a verified identity and its channels (SSE). */
export type Opening =
  { token: string | null } | { principal: Principal | null; channels: string[]; since: Cursor | null };

const HEARTBEAT = framedPayload(['{"type":"heartbeat"}']);
/**
 * Connections corked during this tick, uncorked by one nextTick for all: a fanout corks
 * thousands of sockets, and a closure and tick per socket was garbage for each of them.
 */
const corkedThisTick: Connection[] = [];
function uncorkAll(): void {
  for (const conn of corkedThisTick.splice(0)) conn.uncork();
}
const FLUSH_MS = 25;
const MAX_TIMER_MS = 2_147_483_647;
/**
 * Client frames waiting to be handled (e.g. before `hello`, or behind a token check) at which
 * the socket stops being read: the rest wait in TCP, not in this process.
 */
const MIN_INBOUND_QUEUE = 64;

export class Connection implements Subscriber {
  principal: Principal | null = null;
  private readonly subs = new Map<string, Subscription>();
  /** Latest-wins events waiting for the send buffer to drain, by channel + record key + type. */
  private readonly pending = new Map<string, Entry>();
  private pendingBytes = 0;
  /** Client frames received and not handled yet; reading pauses at `inboundLimit`. */
  private inbound = 0;
  private readonly inboundLimit: number;
  private flushTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly bucket: TokenBucket;
  private queue: Promise<void>;
  private closed = false;
  private inputPaused = false;
  /** `hello` is out: heartbeats may follow it (never precede it). */
  private greeted = false;
  /** Over all channels, the last offset sent per topic partition; only when the wire carries it. */
  private readonly position: Cursor | null;

  private corked = false;
  /** Bytes written while corked, i.e. by the batch (or replay) being sent right now. */
  private corkedBytes = 0;

  private readonly wire: Wire;
  private readonly deps: ConnectionDeps;

  constructor(wire: Wire, deps: ConnectionDeps, opening: Opening) {
    this.wire = wire;
    this.deps = deps;
    this.position = wire.carriesPosition ? new Map() : null;
    this.bucket = new TokenBucket(deps.config.messageRate, deps.config.messageBurst);
    this.inboundLimit = Math.max(MIN_INBOUND_QUEUE, deps.config.messageBurst);
    deps.metrics.connections.inc();
    this.queue = this.run(async () => {
      if ('token' in opening) {
        if (opening.token !== null) {
          try {
            this.setPrincipal(await deps.tokens.verify(opening.token));
          } catch (err) {
            this.close(CLOSE_CODES.unauthorized, reasonOf(err), 'unauthorized');
            return;
          }
        }
      } else if (opening.principal) this.setPrincipal(opening.principal);
      await deps.fanout.ready();
      const { config } = deps;
      this.send({
        type: 'hello',
        transport: wire.transport,
        heartbeatMs: config.heartbeatMs,
        user: this.userInfo(),
        limits: {
          maxSubscriptions: config.maxSubscriptions,
          maxMessageBytes: config.maxMessageBytes,
          messageRate: config.messageRate,
          messageBurst: config.messageBurst,
          sendBufferBytes: config.sendBufferBytes,
        },
      });
      this.greeted = true;
      if ('channels' in opening) this.subscribeAt(opening.channels, opening.since);
    });
  }

  /**
   * Subscribes `names` resuming from one cursor over all of them (SSE's `since` or
   * `Last-Event-ID`): each channel gets the entries of its own feeds.
   */
  private subscribeAt(names: string[], since: Cursor | null): void {
    const perChannel: Record<string, string> = {};
    if (since) {
      for (const name of names) {
        const parsed = parseChannel(name);
        if (!parsed.ok) continue;
        const own: Cursor = new Map();
        for (const [t, p] of channelFeeds(parsed.channel)) {
          const at = since.get(`${t}/${p}`);
          if (at !== undefined) own.set(`${t}/${p}`, at);
        }
        if (own.size > 0) perChannel[name] = formatCursor(own);
      }
    }
    this.subscribe(names, perChannel, undefined);
  }

  private run(task: () => Promise<void> | void): Promise<void> {
    const next = (this.queue ?? Promise.resolve()).then(async () => {
      if (!this.closed) await task();
    });
    return next.catch((err: unknown) => {
      this.deps.logger.error({ err }, 'websocket frame handling failed');
      this.close(CLOSE_CODES.internalError, 'internal error', 'internal');
    });
  }

  /** A frame from the client (WebSocket). */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    // The verdict is reached on arrival (the rate token is taken now) and only what the answer
    // needs is kept: a refused frame's bytes are not held while it waits its turn. The answer is
    // queued so answers keep the frames' order.
    const task = this.verdict(data, isBinary);
    if (++this.inbound >= this.inboundLimit && !this.inputPaused) this.pauseInput();
    this.queue = this.run(async () => {
      try {
        await task();
      } finally {
        if (--this.inbound === 0 && this.inputPaused) {
          this.inputPaused = false;
          this.wire.resumeInput();
        }
      }
    });
  }

  private verdict(data: Buffer, isBinary: boolean): () => Promise<void> | void {
    const { config } = this.deps;
    if (!this.bucket.take()) {
      const id = peekId(data);
      return () =>
        this.error(
          'rate_limited',
          `more than ${config.messageRate} frames/s (burst ${config.messageBurst}); frame dropped`,
          id,
        );
    }
    if (data.length > config.maxMessageBytes) {
      const id = peekId(data);
      const size = data.length;
      return () =>
        this.error(
          'message_too_large',
          `frame of ${size} bytes is over the ${config.maxMessageBytes}-byte limit; dropped`,
          id,
        );
    }
    if (isBinary) return () => this.error('bad_request', 'send JSON text frames, not binary');
    const text = data.toString('utf8');
    return () => this.handle(text);
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.error('bad_request', parsed.message, parsed.id);
    const frame: ClientFrame = parsed.frame;
    switch (frame.type) {
      case 'subscribe':
        return this.subscribe(frame.channels, frame.since ?? {}, frame.id);
      case 'unsubscribe':
        return this.unsubscribe(frame.channels, frame.id);
      case 'auth':
        return this.authenticate(frame.token, frame.id);
      case 'ping':
        return this.send({ type: 'pong', ...(frame.id === undefined ? {} : { id: frame.id }) });
    }
  }

  private subscribe(names: string[], since: Record<string, string>, id: number | undefined): void {
    const { config, fanout, metrics } = this.deps;
    const accepted: { channel: Channel; since: Map<string, number> | null }[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      // Refusals count against the send buffer; once it closed the connection, stop.
      if (this.closed) return;
      if (seen.has(name)) continue;
      seen.add(name);
      const parsed = parseChannel(name);
      if (!parsed.ok) {
        this.error('unknown_channel', parsed.message, id, name);
        continue;
      }
      const { channel } = parsed;
      const refused = refusal(this.principal, channel, config.anonymousFamilies);
      if (refused) {
        this.error('forbidden', refused, id, name);
        continue;
      }
      let cursor: Map<string, number> | null = null;
      const text = since[name];
      if (text !== undefined) {
        const feeds = FAMILIES[channel.family].feeds;
        cursor = parseCursor(text, feeds.length === 1 ? feeds[0]!.topic : undefined);
        if (!cursor) {
          this.error(
            'bad_since',
            `since["${name}"]: expected a cursor "topic/partition:offset,..." as sent in "cursors"` +
              (feeds.length === 1 ? ' or a "partition:offset" pos' : ''),
            id,
            name,
          );
          continue;
        }
      }
      if (!this.subs.has(name) && this.subs.size + accepted.length >= config.maxSubscriptions) {
        this.error(
          'subscription_limit',
          `at most ${config.maxSubscriptions} subscriptions per connection; unsubscribe from something first`,
          id,
          name,
        );
        continue;
      }
      accepted.push({ channel, since: cursor });
    }
    if (accepted.length === 0 || this.closed) return;

    // Registration, the ack and the replay happen in one tick: no live event can slip between.
    // A replay is sent only when it fits in the send buffer with everything already in it (no
    // channel gets part of one): otherwise the channel is `unrecovered`, as for a gap, and the
    // client refetches its state instead of the gateway queueing a backlog for it.
    const limit = config.sendBufferBytes;
    const cursors: Record<string, string> = {};
    const recoveries: { name: string; replay: Entry[]; cut: boolean; recovered: boolean }[] = [];
    /** Per channel: where it starts (its `since` when recovered) and where it is after the replay. */
    const spans: { since: Cursor | null; head: Cursor }[] = [];
    for (const { channel, since: cursor } of accepted) {
      if (!this.subs.has(channel.name)) metrics.subscriptions.inc();
      // Subscribing again restarts the channel from the new cursor: drop what was pending.
      this.subs.delete(channel.name);
      this.dropPending(channel.name);
      const r = fanout.subscribe(this, channel, cursor, limit);
      this.subs.set(channel.name, { conflatable: isConflatable(channel.family), skip: r.skip });
      cursors[channel.name] = formatCursor(r.cursor);
      if (cursor)
        recoveries.push({ name: channel.name, replay: r.replay, cut: r.cut, recovered: r.recovered });
      spans.push({ since: cursor, head: r.cursor });
    }
    const ack = (unrecovered: string[]): ServerFrame => ({
      type: 'subscribed',
      ...(id === undefined ? {} : { id }),
      channels: accepted.map((a) => a.channel.name),
      recovered: unrecovered.length === 0,
      unrecovered,
      cursors,
    });
    // The ack with every resumed channel unrecovered is the largest it can be: reserve that.
    let budget =
      limit - this.backlog() - Buffer.byteLength(JSON.stringify(ack(recoveries.map((r) => r.name))));
    const unrecovered: string[] = [];
    const replays: [string, Entry[]][] = [];
    for (const r of recoveries) {
      if (r.recovered && r.replay.length) {
        let bytes = 0;
        for (const e of r.replay) bytes += e.frame.length;
        if (bytes <= budget) {
          budget -= bytes;
          replays.push([r.name, r.replay]);
        } else {
          r.recovered = false;
          r.cut = true;
        }
      }
      if (r.cut) metrics.replaysCut.inc();
      metrics.recoveries.inc({ recovered: String(r.recovered) });
      if (!r.recovered) unrecovered.push(r.name);
    }
    if (this.position) {
      // Until the replays are out, the client is only as far as the least advanced channel.
      accepted.forEach((a, i) => {
        const { since: from, head } = spans[i]!;
        const replayed = from && !unrecovered.includes(a.channel.name);
        for (const [tp, h] of head) {
          const at = (replayed ? from.get(tp) : undefined) ?? h;
          this.position!.set(tp, Math.min(at, this.position!.get(tp) ?? at));
        }
      });
      this.send(ack(unrecovered), this.positionText());
    } else this.send(ack(unrecovered));
    if (this.position) {
      // In partition and record order across channels, so the position never claims a record
      // one of the channels has not had yet.
      const all = replays.flatMap(([channel, entries]) => entries.map((e) => [channel, e] as const));
      all.sort(([ca, a], [cb, b]) =>
        a.tp !== b.tp
          ? a.tp < b.tp
            ? -1
            : 1
          : a.offset - b.offset || (a.channels?.indexOf(ca) ?? 0) - (b.channels?.indexOf(cb) ?? 0),
      );
      for (const [channel, e] of all) this.replay(channel, e);
      for (const { head } of spans) mergeCursor(this.position, head);
    } else for (const [channel, entries] of replays) for (const e of entries) this.replay(channel, e);
  }

  private unsubscribe(names: string[], id: number | undefined): void {
    const removed: string[] = [];
    for (const name of new Set(names)) {
      if (!this.subs.delete(name)) continue;
      this.deps.fanout.unsubscribe(this, name);
      this.deps.metrics.subscriptions.dec();
      this.dropPending(name);
      removed.push(name);
    }
    this.send({ type: 'unsubscribed', ...(id === undefined ? {} : { id }), channels: removed });
  }

  private async authenticate(token: string, id: number | undefined): Promise<void> {
    let principal: Principal;
    try {
      principal = await this.deps.tokens.verify(token);
    } catch (err) {
      return this.error('unauthorized', `${reasonOf(err)}; the connection keeps its previous identity`, id);
    }
    this.setPrincipal(principal);
    // A different user may no longer read what the previous one subscribed to.
    for (const name of [...this.subs.keys()]) {
      const parsed = parseChannel(name);
      const refused = parsed.ok
        ? refusal(principal, parsed.channel, this.deps.config.anonymousFamilies)
        : null;
      if (!refused) continue;
      this.subs.delete(name);
      this.deps.fanout.unsubscribe(this, name);
      this.deps.metrics.subscriptions.dec();
      this.error('forbidden', `unsubscribed: ${refused}`, id, name);
    }
    this.send({ type: 'authenticated', ...(id === undefined ? {} : { id }), user: this.userInfo()! });
  }

  private setPrincipal(p: Principal): void {
    this.principal = p;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (p.exp !== undefined) {
      const ms = p.exp * 1000 - Date.now();
      // Past its expiry the token no longer vouches for anything: close; the client reconnects
      // with a fresh token and resumes with `since`, or refreshes earlier with an `auth` frame.
      this.expiryTimer = setTimeout(
        () => this.close(CLOSE_CODES.unauthorized, 'token expired', 'token_expired'),
        Math.min(Math.max(ms, 0), MAX_TIMER_MS),
      );
      this.expiryTimer.unref();
    }
  }

  private userInfo() {
    const p = this.principal;
    return p ? { sub: p.sub, role: p.role, ...(p.exp === undefined ? {} : { exp: p.exp }) } : null;
  }

  /** Sends one event of a replay that `subscribe` has checked fits in the send buffer. */
  private replay(channel: string, entry: Entry): void {
    if (this.closed || !this.wanting(channel, entry)) return;
    this.write(channel, entry, false);
  }

  /** Called by fanout for every event of a subscribed channel. */
  deliver(channel: string, entry: Entry): void {
    const sub = this.closed ? null : this.wanting(channel, entry);
    if (!sub) return;
    const limit = this.deps.config.sendBufferBytes;
    if (sub.conflatable) {
      if (this.pending.size > 0 || this.backlog() + entry.frame.length > limit) {
        // Keep the newest per key; the order of keys is kept by the Map.
        const key = `${channel}\u0000${entry.key}`;
        const older = this.pending.get(key);
        if (older) {
          this.deps.metrics.conflated.inc();
          this.pendingBytes -= older.frame.length;
        }
        this.pending.delete(key);
        this.pending.set(key, entry);
        this.pendingBytes += entry.frame.length;
        // Waiting frames are held in this process: they are capped by the same limit.
        if (this.pendingBytes > limit) return this.slowConsumer(`on ${channel}`);
        this.scheduleFlush();
        return;
      }
    } else if (this.backlog() + entry.frame.length > limit) {
      return this.slowConsumer(`on ${channel}`);
    }
    this.write(channel, entry, true);
  }

  /**
   * The subscription to `channel` when the client still needs `entry`; null when it is not
   * subscribed or already has it (it came from a gateway that was ahead).
   */
  private wanting(channel: string, entry: Entry): Subscription | null {
    const sub = this.subs.get(channel);
    if (!sub) return null;
    if (sub.skip) {
      const upTo = sub.skip.get(entry.tp);
      if (upTo !== undefined) {
        if (entry.offset <= upTo) return null;
        sub.skip.delete(entry.tp);
        if (sub.skip.size === 0) sub.skip = null;
      }
    }
    return sub;
  }

  private slowConsumer(what: string): void {
    const limit = this.deps.config.sendBufferBytes;
    this.close(
      CLOSE_CODES.slowConsumer,
      `slow consumer: send buffer over ${limit} bytes ${what}`.slice(0, 123),
      'slow_consumer',
    );
  }

  /**
   * Sends an event frame. The socket is corked until the current batch is done (nextTick), so
   * the events one batch has for this client leave in one write instead of one each. `burst`:
   * a live batch, whose own bytes do not count against the client until the batch is written
   * (a replay's do: it was checked against the limit as a whole).
   */
  private write(channel: string, entry: Entry, burst: boolean): void {
    this.cork();
    if (burst) this.corkedBytes += entry.frame.length;
    if (this.position) {
      // The record is ours once the last of our channels it goes to has it.
      const upTo = lastOfRecord(entry, channel, this.subs) ? entry.offset : entry.offset - 1;
      const at = this.position.get(entry.tp);
      if (at === undefined || upTo > at) this.position.set(entry.tp, upTo);
      this.wire.send(entry.frame, this.positionText());
    } else this.wire.send(entry.frame);
    this.deps.metrics.sent.inc();
  }

  /**
   * The client's cursor over all channels. Latest-wins events still pending hold their partition
   * back, so a client resuming from here gets them (and maybe a later one twice) rather than none.
   */
  private positionText(): string {
    const position = this.position!;
    if (this.pending.size === 0) return formatCursor(position);
    const capped = new Map(position);
    for (const e of this.pending.values()) {
      const at = capped.get(e.tp);
      if (at !== undefined && e.offset - 1 < at) capped.set(e.tp, e.offset - 1);
    }
    return formatCursor(capped);
  }

  /** Corks the socket until the current tick's frames are all written: one write for them. */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.wire.cork();
    if (corkedThisTick.push(this) === 1) process.nextTick(uncorkAll);
  }

  /** Writes what was corked (uncorkAll, once the tick's frames are all written). */
  uncork(): void {
    this.corked = false;
    this.corkedBytes = 0;
    this.wire.uncork();
  }

  /**
   * What the client has not taken yet: bytes queued for it before the batch now being written.
   * A burst (a big batch, a replay) is not the client's fault; failing to read earlier ones is.
   */
  private backlog(): number {
    return this.wire.bufferedAmount - this.corkedBytes;
  }

  private dropPending(channel: string): void {
    for (const [k, entry] of this.pending) {
      if (!k.startsWith(`${channel}\u0000`)) continue;
      this.pending.delete(k);
      this.pendingBytes -= entry.frame.length;
    }
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_MS);
  }

  private flush(): void {
    const limit = this.deps.config.sendBufferBytes;
    for (const [key, entry] of this.pending) {
      if (this.closed || this.backlog() + entry.frame.length > limit) break;
      this.pending.delete(key);
      this.pendingBytes -= entry.frame.length;
      this.write(key.slice(0, key.indexOf('\u0000')), entry, true);
    }
    if (this.pending.size > 0 && !this.closed) this.scheduleFlush();
  }

  /**
   * Sends a control frame (hello, ack, error, pong). These answer the client's own frames, so a
   * client that keeps sending without reading them is closed like any slow consumer.
   */
  send(frame: ServerFrame, position?: string): void {
    if (this.closed) return;
    const text = JSON.stringify(frame);
    if (this.backlog() + Buffer.byteLength(text) > this.deps.config.sendBufferBytes) {
      this.slowConsumer('of unread replies');
      // It sends without reading: stop reading its frames too (they would only be parsed and
      // ignored). The close frame still goes out; the socket is dropped 5 s later.
      this.pauseInput();
      return;
    }
    // A frame refused channel by channel answers with many errors: they leave in one write.
    this.cork();
    this.wire.send(text, position);
  }

  private pauseInput(): void {
    this.inputPaused = true;
    this.wire.pauseInput();
  }

  private error(code: ErrorCode, message: string, id?: number, channel?: string): void {
    if (this.closed) return;
    this.deps.metrics.errors.inc({ code });
    this.send({
      type: 'error',
      ...(id === undefined ? {} : { id }),
      code,
      message,
      ...(channel === undefined ? {} : { channel }),
    });
  }

  /**
   * Sends a `heartbeat` frame, the proof of life a browser can see. Skipped while the client has
   * not taken what it was sent: it would only queue behind that, and its silence is the point.
   */
  beat(): void {
    if (this.closed || !this.greeted || this.backlog() > 0) return;
    this.wire.send(HEARTBEAT);
  }

  close(code: number, reason: string, metric: string): void {
    if (this.closed) return;
    this.deps.metrics.closed.inc({ reason: metric });
    this.wire.close(code, reason);
    this.peerClosed();
    // A peer that does not answer the close handshake is not waited for.
    setTimeout(() => this.wire.terminate(), 5_000).unref();
  }

  /** The transport is gone (closed by the peer, the network, or `close`). */
  peerClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.metrics.connections.dec();
    this.deps.metrics.subscriptions.dec(this.subs.size);
    for (const name of this.subs.keys()) this.deps.fanout.unsubscribe(this, name);
    this.subs.clear();
    this.pending.clear();
    this.pendingBytes = 0;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }
}

/** Whether `channel` is the last of `subs` that the entry's record goes to. */
export function lastOfRecord(entry: Entry, channel: string, subs: { has(c: string): boolean }): boolean {
  const channels = entry.channels;
  if (!channels) return true;
  for (let i = channels.indexOf(channel) + 1; i < channels.length; i++)
    if (subs.has(channels[i]!)) return false;
  return true;
}

function reasonOf(err: unknown): string {
  return err instanceof AuthError ? err.message : 'invalid token';
}
