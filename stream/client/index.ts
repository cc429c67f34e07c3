// citystream live client for browsers and Node (pass `WebSocket` from the `ws` package in Node).
// It connects at once over a WebSocket, falls back to SSE and then long-poll when a transport
// cannot connect or goes silent, and tries to move back up later. Whatever the transport, it
// resubscribes with the cursor of every channel so the gateway (this one or another) sends what
// was missed, and drops what it already has, so the application sees one stream with no gap and
// no duplicate. A link silent for longer than the gateway's heartbeat bound counts as dead.
import { advance, formatCursor, mergeCursor, parseCursor, tpKey, type Cursor } from './cursor.ts';
import {
  silenceBoundMs,
  type ErrorCode,
  type HelloFrame,
  type ServerFrame,
  type TransportKind,
} from './protocol.ts';
import {
  PollTransport,
  SseTransport,
  WebSocketTransport,
  type ClientTransport,
  type FetchLike,
  type TransportSink,
  type Wanted,
  type WebSocketConstructor,
} from './transports.ts';

export type {
  ClientFrame,
  ServerFrame,
  ErrorCode,
  HelloFrame,
  TransportKind,
  PollResponse,
} from './protocol.ts';
export { CLOSE_CODES, ERROR_CODES, silenceBoundMs } from './protocol.ts';
export type { WebSocketLike, WebSocketConstructor } from './transports.ts';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveEvent<T = unknown> {
  channel: string;
  /** `partition:offset` in `topic`. */
  pos: string;
  topic: string;
  event: { id: string; type: string; source: string; time: string; subject?: string; data: T };
}

export interface StreamClientOptions {
  /** `ws(s)://host:port/ws` */
  url: string;
  /** Base of the HTTP transports (`/sse`, `/v1/events`); default: `url` as http(s) without `/ws`. */
  httpUrl?: string;
  /** A token, or a function asked for one before every (re)connect. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Transports to use, best first. Default: websocket, sse, poll (those this runtime has). */
  transports?: TransportKind[];
  reconnect?: { baseMs?: number; maxMs?: number };
  /** A transport that has not said hello by then has failed (default 10 s). */
  connectTimeoutMs?: number;
  /** On a fallback transport, try the one above after this long (default 60 s, doubling up to 10 min). */
  upgradeAfterMs?: number;
  /** Silence after which the link is dead; default from the gateway's heartbeat (2 × interval + 1 s). */
  silenceMs?: number;
  /** Long-poll wait in seconds (default 25). */
  pollWaitSeconds?: number;
}

export interface StreamError {
  code: ErrorCode | 'connection';
  message: string;
  id?: number;
  channel?: string;
}

type Listener<T> = (value: T) => void;

const DEFAULT_HEARTBEAT_MS = 15_000;
const MAX_UPGRADE_MS = 600_000;

export class StreamClient {
  private state: ConnectionState = 'connecting';
  private token: StreamClientOptions['token'];
  /** The token of the current connection (asked once per connect). */
  private currentToken: string | undefined;
  private readonly channels = new Map<string, Set<(e: LiveEvent) => void>>();
  /** Per channel, the cursor of what this client has received (set by the first ack). */
  private readonly cursors = new Map<string, Cursor>();
  /** Channels the gateway refused on an HTTP transport: left out until the token changes. */
  private readonly refused = new Set<string>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly transportListeners = new Set<Listener<TransportKind | null>>();
  private readonly recoveryListeners = new Set<Listener<{ channel: string; recovered: boolean }>>();
  private readonly subscribedListeners = new Set<Listener<string>>();
  private readonly errorListeners = new Set<Listener<StreamError>>();
  private readonly helloListeners = new Set<Listener<HelloFrame>>();
  private toSubscribe = new Set<string>();
  private toUnsubscribe = new Set<string>();
  private flushQueued = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  /** The transport in use, whether it has said hello, and which rung of `kinds` it is. */
  private active: ClientTransport | null = null;
  private activeOpen = false;
  private level = 0;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private silenceMs = silenceBoundMs(DEFAULT_HEARTBEAT_MS);
  /** A higher transport being tried while the current one keeps serving. */
  private probe: ClientTransport | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private upgradeDelay: number;

  private readonly kinds: TransportKind[];
  private readonly WebSocketCtor: WebSocketConstructor | undefined;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly httpBase: string;
  private readonly options: StreamClientOptions;

  constructor(options: StreamClientOptions) {
    this.options = options;
    this.WebSocketCtor =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
    const f = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    this.fetchImpl = f ? (f === globalThis.fetch ? (...a) => globalThis.fetch(...a) : f) : undefined;
    this.kinds = (options.transports ?? ['websocket', 'sse', 'poll']).filter((k) =>
      k === 'websocket' ? !!this.WebSocketCtor : !!this.fetchImpl,
    );
    if (this.kinds.length === 0)
      throw new Error('no transport: pass options.WebSocket (e.g. from "ws") or options.fetch');
    this.httpBase = options.httpUrl ?? httpBaseOf(options.url);
    this.token = options.token;
    this.upgradeDelay = options.upgradeAfterMs ?? 60_000;
    void this.connect();
  }

  /** Subscribes `onEvent` to `channel`; returns the function that unsubscribes it. */
  subscribe(channel: string, onEvent: (e: LiveEvent) => void): () => void {
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
      this.toUnsubscribe.delete(channel);
      this.toSubscribe.add(channel);
      this.queueFlush();
    }
    set.add(onEvent);
    return () => {
      const s = this.channels.get(channel);
      if (!s?.delete(onEvent) || s.size > 0) return;
      this.channels.delete(channel);
      this.cursors.delete(channel);
      this.refused.delete(channel);
      if (this.toSubscribe.delete(channel)) return;
      this.toUnsubscribe.add(channel);
      this.queueFlush();
    };
  }

  onState(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The transport carrying the stream once it is open (null while not open). */
  onTransport(listener: Listener<TransportKind | null>): () => void {
    this.transportListeners.add(listener);
    return () => this.transportListeners.delete(listener);
  }

  onRecovery(listener: Listener<{ channel: string; recovered: boolean }>): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /**
   * A channel's first acknowledgement since `subscribe`: from here on nothing published to it is
   * missed. State read over HTTP before this moment may lack what was published in between; read
   * it again (or merge a fresh read) when this fires.
   */
  onSubscribed(listener: Listener<string>): () => void {
    this.subscribedListeners.add(listener);
    return () => this.subscribedListeners.delete(listener);
  }

  onError(listener: Listener<StreamError>): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** The gateway's greeting after every (re)connect: who we are and its limits. */
  onHello(listener: Listener<HelloFrame>): () => void {
    this.helloListeners.add(listener);
    return () => this.helloListeners.delete(listener);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The transport carrying the stream, when open. */
  get transport(): TransportKind | null {
    return this.state === 'open' && this.active ? this.active.kind : null;
  }

  /** The cursor of `channel` (what to pass as `since` elsewhere), or undefined before its ack. */
  cursor(channel: string): string | undefined {
    const c = this.cursors.get(channel);
    return c ? formatCursor(c) : undefined;
  }

  /** Replaces the token; sent at once when connected, and used for every reconnect. */
  setToken(token: string): void {
    this.token = token;
    this.currentToken = token;
    const retry = [...this.refused];
    this.refused.clear();
    if (this.active && this.activeOpen) {
      this.active.authenticate(token);
      if (retry.length) this.active.changed(retry, []);
    }
  }

  /**
   * Drops the current link and connects again now, from the best transport (e.g. when the
   * browser says it is back online). Nothing is lost: the new link resumes from the cursors.
   */
  reconnectNow(): void {
    if (this.state === 'closed') return;
    this.dropActive();
    this.cancelProbe();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.level = 0;
    this.setState('reconnecting');
    void this.connect();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.cancelProbe();
    this.dropActive();
  }

  // ---- connecting, falling back, moving up ----

  private async connect(): Promise<void> {
    try {
      this.currentToken = typeof this.token === 'function' ? await this.token() : this.token;
    } catch (err) {
      this.emitError({ code: 'connection', message: `token provider failed: ${String(err)}` });
      return this.scheduleReconnect();
    }
    if (this.state === 'closed' || this.active) return;
    this.toSubscribe.clear();
    this.toUnsubscribe.clear();
    const transport = this.open(this.kinds[this.level]!, false);
    if (!transport) return this.failed();
    this.active = transport;
    this.activeOpen = false;
    this.arm(this.options.connectTimeoutMs ?? 10_000);
  }

  /** A transport of `kind`, reporting to the client; a probe's frames are also taken. */
  private open(kind: TransportKind, isProbe: boolean): ClientTransport | null {
    let t: ClientTransport | null = null;
    const mine = () => (isProbe ? this.probe === t : this.active === t);
    const sink: TransportSink = {
      frame: (f) => {
        if (mine() || this.active === t) this.onFrame(t!, f);
      },
      opened: (heartbeatMs) => {
        if (mine()) this.onOpened(t!, heartbeatMs);
      },
      caughtUp: (cursors, unrecovered, first) => {
        if (this.active === t) this.onCaughtUp(cursors, unrecovered, first);
      },
      refused: (channel, code, message) => {
        if (!this.channels.has(channel)) return;
        this.refused.add(channel);
        this.emitError({ code, message, channel });
      },
      closed: (info) => {
        if (isProbe && this.probe === t) return this.probeFailed();
        if (this.active === t) this.onClosed(info);
      },
    };
    const wanted = () => this.wanted();
    try {
      if (kind === 'websocket')
        t = new WebSocketTransport(this.options.url, this.WebSocketCtor!, wanted, sink);
      else if (kind === 'sse') t = new SseTransport(this.httpBase, this.fetchImpl!, wanted, sink);
      else t = new PollTransport(this.httpBase, this.fetchImpl!, wanted, sink, this.options.pollWaitSeconds);
    } catch (err) {
      this.emitError({ code: 'connection', message: String(err) });
      return null;
    }
    return t;
  }

  private wanted(): Wanted {
    const channels = [...this.channels.keys()].filter((c) => !this.refused.has(c));
    const cursors: Record<string, string> = {};
    const least: Cursor = new Map();
    for (const c of channels) {
      const cursor = this.cursors.get(c);
      if (!cursor || cursor.size === 0) continue;
      cursors[c] = formatCursor(cursor);
      for (const [tp, at] of cursor) least.set(tp, Math.min(at, least.get(tp) ?? at));
    }
    return {
      channels,
      cursors,
      since: least.size ? formatCursor(least) : undefined,
      token: this.currentToken,
    };
  }

  private onOpened(t: ClientTransport, heartbeatMs: number): void {
    if (this.probe === t) {
      // The better transport works: it takes over, resuming from our cursors; the old one goes.
      this.probe = null;
      this.dropActive();
      this.active = t;
      this.level = this.kinds.indexOf(t.kind);
      this.upgradeDelay = this.options.upgradeAfterMs ?? 60_000;
    }
    this.activeOpen = true;
    this.attempt = 0;
    this.silenceMs = this.options.silenceMs ?? silenceBoundMs(heartbeatMs);
    this.arm(this.silenceMs);
    this.setState('open');
    for (const l of this.transportListeners) l(t.kind);
    if (this.level > 0) this.scheduleProbe();
  }

  /** (Re)starts the dead-link timer: nothing received within `ms` means the link is gone. */
  private arm(ms: number): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      const wasOpen = this.activeOpen;
      this.emitError({
        code: 'connection',
        message: wasOpen
          ? `no frame for ${ms} ms: the link is dead`
          : `${this.active?.kind ?? 'transport'} did not connect within ${ms} ms`,
      });
      this.dropActive();
      // A link that goes silent, like one that never opens, is worth trying another transport.
      this.failed();
    }, ms);
  }

  private onClosed(info: { code?: number; reason?: string }): void {
    const wasOpen = this.activeOpen;
    this.active = null;
    this.activeOpen = false;
    if (this.watchdog) clearTimeout(this.watchdog);
    if (info.code !== undefined && info.code >= 4000)
      this.emitError({
        code: info.code === 4401 ? 'unauthorized' : 'connection',
        message: info.reason || `closed ${info.code}`,
      });
    // A link that worked, or a gateway that said why (token, slow consumer), is retried as is.
    if (wasOpen || (info.code !== undefined && info.code >= 4000)) return this.scheduleReconnect();
    this.failed();
  }

  /** The current transport could not connect or went silent: the next one down, at once. */
  private failed(): void {
    if (this.state === 'closed') return;
    this.cancelProbe();
    if (this.level < this.kinds.length - 1) {
      this.level++;
      this.setState('reconnecting');
      void this.connect();
      return;
    }
    this.level = 0;
    this.scheduleReconnect();
  }

  private dropActive(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    const t = this.active;
    this.active = null;
    this.activeOpen = false;
    t?.close();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    this.setState('reconnecting');
    const base = this.options.reconnect?.baseMs ?? 500;
    const max = this.options.reconnect?.maxMs ?? 30_000;
    // Full jitter: many clients dropped by one gateway do not come back in step.
    const delay = Math.random() * Math.min(max, base * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.probe) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (this.state !== 'open' || this.level === 0) return;
      const probe = this.open(this.kinds[this.level - 1]!, true);
      if (!probe) return this.probeFailed();
      this.probe = probe;
      // A probe that does not say hello in time has failed.
      setTimeout(() => {
        if (this.probe === probe) this.probeFailed();
      }, this.options.connectTimeoutMs ?? 10_000);
    }, this.upgradeDelay);
  }

  private probeFailed(): void {
    this.probe?.close();
    this.probe = null;
    this.upgradeDelay = Math.min(this.upgradeDelay * 2, MAX_UPGRADE_MS);
    if (this.state === 'open' && this.level > 0) this.scheduleProbe();
  }

  private cancelProbe(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.probe?.close();
    this.probe = null;
  }

  // ---- frames ----

  private onFrame(t: ClientTransport, frame: ServerFrame): void {
    if (t === this.active && this.activeOpen) this.arm(this.silenceMs);
    switch (frame.type) {
      case 'event': {
        const listeners = this.channels.get(frame.channel);
        if (!listeners) return;
        let cursor = this.cursors.get(frame.channel);
        if (!cursor) this.cursors.set(frame.channel, (cursor = new Map<string, number>()));
        // Already delivered (a resume from an older cursor, or two transports during a switch).
        const i = frame.pos.indexOf(':');
        const have = cursor.get(tpKey(frame.topic, Number(frame.pos.slice(0, i))));
        if (have !== undefined && Number(frame.pos.slice(i + 1)) <= have) return;
        advance(cursor, frame.topic, frame.pos);
        const e: LiveEvent = {
          channel: frame.channel,
          pos: frame.pos,
          topic: frame.topic,
          event: frame.event,
        };
        for (const l of listeners) l(e);
        return;
      }
      case 'subscribed':
        for (const channel of frame.channels) {
          if (!this.channels.has(channel)) continue;
          const had = this.cursors.get(channel);
          const fromServer = parseCursor(frame.cursors[channel] ?? '') ?? new Map<string, number>();
          const recovered = !frame.unrecovered.includes(channel);
          if (!had) this.cursors.set(channel, fromServer);
          else if (recovered) {
            // The replay that follows moves our cursor; only partitions we knew nothing of are taken.
            for (const [tp, at] of fromServer) if (!had.has(tp)) had.set(tp, at);
          } else mergeCursor(had, fromServer);
          if (had) for (const l of this.recoveryListeners) l({ channel, recovered });
          else for (const l of this.subscribedListeners) l(channel);
        }
        return;
      case 'hello':
        this.onOpened(t, frame.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
        for (const l of this.helloListeners) l(frame);
        return;
      case 'error':
        this.emitError({
          code: frame.code,
          message: frame.message,
          ...(frame.id === undefined ? {} : { id: frame.id }),
          ...(frame.channel === undefined ? {} : { channel: frame.channel }),
        });
        return;
      default:
        return;
    }
  }

  /** Long-poll: cursors after the events of one answer, so they are merged, never held back. */
  private onCaughtUp(cursors: Record<string, string>, unrecovered: string[], first: boolean): void {
    for (const [channel, text] of Object.entries(cursors)) {
      if (!this.channels.has(channel)) continue;
      const fromServer = parseCursor(text);
      if (!fromServer) continue;
      const had = this.cursors.get(channel);
      if (had) mergeCursor(had, fromServer);
      else this.cursors.set(channel, fromServer);
      const recovered = !unrecovered.includes(channel);
      // Reported like a resubscription: on the first answer, and whenever a gap was too old.
      if (had && (first || !recovered)) for (const l of this.recoveryListeners) l({ channel, recovered });
      if (!had) for (const l of this.subscribedListeners) l(channel);
    }
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Subscriptions made in one tick go out as one frame (frames are rate limited) or one reopen.
    queueMicrotask(() => {
      this.flushQueued = false;
      if (!this.active || !this.activeOpen) return; // the next hello subscribes to everything
      const sub = [...this.toSubscribe].filter((c) => !this.refused.has(c));
      const unsub = [...this.toUnsubscribe];
      this.toSubscribe.clear();
      this.toUnsubscribe.clear();
      if (sub.length || unsub.length) this.active.changed(sub, unsub);
    });
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
    if (s !== 'open') for (const l of this.transportListeners) l(null);
  }

  private emitError(e: StreamError): void {
    for (const l of this.errorListeners) l(e);
  }
}

/** `ws://host:port/ws` → `http://host:port`. */
function httpBaseOf(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
  u.pathname = u.pathname.replace(/\/ws\/?$/, '');
  u.search = '';
  return u.toString().replace(/\/$/, '');
}
