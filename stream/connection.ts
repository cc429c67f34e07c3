// One WebSocket client: its identity, subscriptions, limits and send buffer. Client frames are
// handled one at a time in arrival order (an `auth` frame is verified before the `subscribe`
// that follows it is looked at).
import type { Logger } from 'pino';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { AuthError, type Principal, type TokenVerifier } from '../core/auth/index.ts';
import type { StreamConfig } from '../core/config/sections/stream.ts';
import { formatCursor, parseCursor } from './client/cursor.ts';
import { CLOSE_CODES, type ClientFrame, type ErrorCode, type ServerFrame } from './client/protocol.ts';
import { FAMILIES, isConflatable, parseChannel, type Channel } from './channels.ts';
import type { Fanout, Subscriber } from './fanout.ts';
import { parseClientFrame, peekId } from './frames.ts';
import type { Entry } from './history.ts';
import type { StreamMetrics } from './metrics.ts';
import { refusal } from './permissions.ts';
import { TokenBucket } from './rate-limit.ts';

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

const FLUSH_MS = 25;
const MAX_TIMER_MS = 2_147_483_647;

export class Connection implements Subscriber {
  principal: Principal | null = null;
  /** Cleared by every ping; a peer that has not answered by the next one is dropped. */
  alive = true;
  private readonly subs = new Map<string, Subscription>();
  /** Latest-wins frames waiting for the send buffer to drain, by channel + record key + type. */
  private readonly pending = new Map<string, Buffer>();
  private flushTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly bucket: TokenBucket;
  private queue: Promise<void>;
  private closed = false;

  private corked = false;
  /** Bytes written while corked, i.e. by the batch (or replay) being sent right now. */
  private corkedBytes = 0;

  private readonly ws: WebSocket;
  /** The upgraded TCP socket under `ws`, corked while a batch of events is written. */
  private readonly socket: Duplex;
  private readonly deps: ConnectionDeps;

  constructor(
    ws: WebSocket,
    socket: Duplex,
    deps: ConnectionDeps,
    /** The token sent with the upgrade request (header or query), verified before anything else. */
    initialToken: string | null,
  ) {
    this.ws = ws;
    this.socket = socket;
    this.deps = deps;
    this.bucket = new TokenBucket(deps.config.messageRate, deps.config.messageBurst);
    ws.on('message', (data: Buffer, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => deps.logger.debug({ err }, 'websocket error'));
    deps.metrics.connections.inc();
    this.queue = this.run(async () => {
      if (initialToken !== null) {
        try {
          this.setPrincipal(await deps.tokens.verify(initialToken));
        } catch (err) {
          this.close(CLOSE_CODES.unauthorized, reasonOf(err), 'unauthorized');
          return;
        }
      }
      await deps.fanout.ready();
      const { config } = deps;
      this.send({
        type: 'hello',
        user: this.userInfo(),
        limits: {
          maxSubscriptions: config.maxSubscriptions,
          maxMessageBytes: config.maxMessageBytes,
          messageRate: config.messageRate,
          messageBurst: config.messageBurst,
          sendBufferBytes: config.sendBufferBytes,
        },
      });
    });
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

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    // The token is taken on arrival; the answer is queued so answers keep the frames' order.
    const allowed = this.bucket.take();
    this.queue = this.run(() => {
      const { config } = this.deps;
      if (!allowed) {
        return this.error(
          'rate_limited',
          `more than ${config.messageRate} frames/s (burst ${config.messageBurst}); frame dropped`,
          peekId(data),
        );
      }
      if (data.length > config.maxMessageBytes) {
        return this.error(
          'message_too_large',
          `frame of ${data.length} bytes is over the ${config.maxMessageBytes}-byte limit; dropped`,
          peekId(data),
        );
      }
      if (isBinary) return this.error('bad_request', 'send JSON text frames, not binary');
      return this.handle(data.toString('utf8'));
    });
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
    if (accepted.length === 0) return;

    // Registration, the ack and the replay happen in one tick: no live event can slip between.
    const cursors: Record<string, string> = {};
    const unrecovered: string[] = [];
    const replays: [string, Entry[]][] = [];
    for (const { channel, since: cursor } of accepted) {
      if (!this.subs.has(channel.name)) metrics.subscriptions.inc();
      // Subscribing again restarts the channel from the new cursor: drop what was pending.
      this.subs.delete(channel.name);
      this.dropPending(channel.name);
      const r = fanout.subscribe(this, channel, cursor);
      this.subs.set(channel.name, { conflatable: isConflatable(channel.family), skip: r.skip });
      cursors[channel.name] = formatCursor(r.cursor);
      if (cursor) {
        metrics.recoveries.inc({ recovered: String(r.recovered) });
        if (!r.recovered) unrecovered.push(channel.name);
      }
      if (r.replay.length) replays.push([channel.name, r.replay]);
    }
    this.send({
      type: 'subscribed',
      ...(id === undefined ? {} : { id }),
      channels: accepted.map((a) => a.channel.name),
      recovered: unrecovered.length === 0,
      unrecovered,
      cursors,
    });
    for (const [channel, entries] of replays) for (const e of entries) this.deliver(channel, e);
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

  /** Called by fanout for every event of a subscribed channel, and for replays. */
  deliver(channel: string, entry: Entry): void {
    if (this.closed) return;
    const sub = this.subs.get(channel);
    if (!sub) return;
    if (sub.skip) {
      const upTo = sub.skip.get(entry.tp);
      if (upTo !== undefined) {
        if (entry.offset <= upTo) return;
        sub.skip.delete(entry.tp);
        if (sub.skip.size === 0) sub.skip = null;
      }
    }
    const limit = this.deps.config.sendBufferBytes;
    if (sub.conflatable) {
      const key = `${channel}\u0000${entry.key}`;
      if (this.pending.size > 0 || this.backlog() + entry.frame.length > limit) {
        // Keep the newest per key; the order of keys is kept by the Map.
        if (this.pending.has(key)) this.deps.metrics.conflated.inc();
        this.pending.delete(key);
        this.pending.set(key, entry.frame);
        this.scheduleFlush();
        return;
      }
    } else if (this.backlog() + entry.frame.length > limit) {
      this.close(
        CLOSE_CODES.slowConsumer,
        `slow consumer: send buffer over ${limit} bytes on ${channel}`.slice(0, 123),
        'slow_consumer',
      );
      return;
    }
    this.write(entry.frame);
  }

  /**
   * Sends an event frame. The socket is corked until the current batch is done (nextTick), so
   * the events one batch has for this client leave in one write instead of one each.
   */
  private write(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.corkedBytes = 0;
        this.socket.uncork();
      });
    }
    this.corkedBytes += frame.length;
    this.ws.send(frame, { binary: false });
    this.deps.metrics.sent.inc();
  }

  /**
   * What the client has not taken yet: bytes queued for it before the batch now being written.
   * A burst (a big batch, a replay) is not the client's fault; failing to read earlier ones is.
   */
  private backlog(): number {
    return this.ws.bufferedAmount - this.corkedBytes;
  }

  private dropPending(channel: string): void {
    for (const k of this.pending.keys()) if (k.startsWith(`${channel}\u0000`)) this.pending.delete(k);
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_MS);
  }

  private flush(): void {
    const limit = this.deps.config.sendBufferBytes;
    for (const [key, frame] of this.pending) {
      if (this.closed || this.backlog() + frame.length > limit) break;
      this.pending.delete(key);
      this.write(frame);
    }
    if (this.pending.size > 0 && !this.closed) this.scheduleFlush();
  }

  send(frame: ServerFrame): void {
    if (this.closed) return;
    this.ws.send(JSON.stringify(frame));
  }

  private error(code: ErrorCode, message: string, id?: number, channel?: string): void {
    this.deps.metrics.errors.inc({ code });
    this.send({
      type: 'error',
      ...(id === undefined ? {} : { id }),
      code,
      message,
      ...(channel === undefined ? {} : { channel }),
    });
  }

  /** Pings, or drops the peer when the previous ping went unanswered. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.deps.metrics.closed.inc({ reason: 'dead_peer' });
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  close(code: number, reason: string, metric: string): void {
    if (this.closed) return;
    this.deps.metrics.closed.inc({ reason: metric });
    this.ws.close(code, reason);
    this.onClose();
    // A peer that does not answer the close handshake is not waited for.
    setTimeout(() => this.ws.terminate(), 5_000).unref();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.metrics.connections.dec();
    this.deps.metrics.subscriptions.dec(this.subs.size);
    for (const name of this.subs.keys()) this.deps.fanout.unsubscribe(this, name);
    this.subs.clear();
    this.pending.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }
}

function reasonOf(err: unknown): string {
  return err instanceof AuthError ? err.message : 'invalid token';
}
