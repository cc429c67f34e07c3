// citystream live client for browsers and Node (pass `WebSocket` from the `ws` package in Node).
// It connects at once, reconnects with exponential backoff and jitter, authenticates with an
// `auth` frame (tokens stay out of URLs), and resubscribes with the cursor of every channel so
// the gateway — this one or another — sends exactly what was missed. No Node-only imports here.
import { advance, formatCursor, mergeCursor, parseCursor, type Cursor } from './cursor.ts';
import type { ClientFrame, ErrorCode, HelloFrame, ServerFrame } from './protocol.ts';

export type { ClientFrame, ServerFrame, ErrorCode, HelloFrame } from './protocol.ts';
export { CLOSE_CODES, ERROR_CODES } from './protocol.ts';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveEvent<T = unknown> {
  channel: string;
  /** `partition:offset` in `topic`. */
  pos: string;
  topic: string;
  event: { id: string; type: string; source: string; time: string; subject?: string; data: T };
}

/** An event handler property, checked like a method so both DOM and `ws` handlers fit. */
type Handler<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The part of the WHATWG WebSocket this client uses (the browser's, or `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface StreamClientOptions {
  /** `ws(s)://host:port/ws` */
  url: string;
  /** A token, or a function asked for one before every (re)connect. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  reconnect?: { baseMs?: number; maxMs?: number };
}

export interface StreamError {
  code: ErrorCode | 'connection';
  message: string;
  id?: number;
  channel?: string;
}

type Listener<T> = (value: T) => void;
const OPEN = 1;

export class StreamClient {
  private ws: WebSocketLike | null = null;
  private state: ConnectionState = 'connecting';
  private token: StreamClientOptions['token'];
  private readonly channels = new Map<string, Set<(e: LiveEvent) => void>>();
  /** Per channel, the cursor of what this client has received (set by the first ack). */
  private readonly cursors = new Map<string, Cursor>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly recoveryListeners = new Set<Listener<{ channel: string; recovered: boolean }>>();
  private readonly errorListeners = new Set<Listener<StreamError>>();
  private readonly helloListeners = new Set<Listener<HelloFrame>>();
  private toSubscribe = new Set<string>();
  private toUnsubscribe = new Set<string>();
  private flushQueued = false;
  private nextId = 1;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly Ctor: WebSocketConstructor;

  private readonly options: StreamClientOptions;

  constructor(options: StreamClientOptions) {
    this.options = options;
    const Ctor =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
    if (!Ctor) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. from "ws")');
    this.Ctor = Ctor;
    this.token = options.token;
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
      if (this.toSubscribe.delete(channel)) return;
      this.toUnsubscribe.add(channel);
      this.queueFlush();
    };
  }

  onState(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onRecovery(listener: Listener<{ channel: string; recovered: boolean }>): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
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

  /** The cursor of `channel` (what to pass as `since` elsewhere), or undefined before its ack. */
  cursor(channel: string): string | undefined {
    const c = this.cursors.get(channel);
    return c ? formatCursor(c) : undefined;
  }

  /** Replaces the token; sent at once when connected, and used for every reconnect. */
  setToken(token: string): void {
    this.token = token;
    if (this.ws?.readyState === OPEN) this.sendFrame({ type: 'auth', id: this.nextId++, token });
  }

  close(): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'client closed');
  }

  private async connect(): Promise<void> {
    let token: string | undefined;
    try {
      token = typeof this.token === 'function' ? await this.token() : this.token;
    } catch (err) {
      this.emitError({ code: 'connection', message: `token provider failed: ${String(err)}` });
      return this.scheduleReconnect();
    }
    if (this.state === 'closed') return;
    let ws: WebSocketLike;
    try {
      ws = new this.Ctor(this.options.url);
    } catch (err) {
      this.emitError({ code: 'connection', message: String(err) });
      return this.scheduleReconnect();
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      if (token) this.sendFrame({ type: 'auth', id: this.nextId++, token });
      // Everything we want, with the cursor of everything we have.
      this.toSubscribe = new Set(this.channels.keys());
      this.toUnsubscribe.clear();
      this.flush();
      this.setState('open');
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      const text = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
      this.onFrame(JSON.parse(text) as ServerFrame);
    };
    ws.onerror = () => undefined; // onclose follows and carries the code
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev.code >= 4000)
        this.emitError({
          code: ev.code === 4401 ? 'unauthorized' : 'connection',
          message: ev.reason || `closed ${ev.code}`,
        });
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    this.setState('reconnecting');
    const base = this.options.reconnect?.baseMs ?? 500;
    const max = this.options.reconnect?.maxMs ?? 30_000;
    // Full jitter: many clients dropped by one gateway do not come back in step.
    const delay = Math.random() * Math.min(max, base * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'event': {
        const listeners = this.channels.get(frame.channel);
        if (!listeners) return;
        let cursor = this.cursors.get(frame.channel);
        if (!cursor) this.cursors.set(frame.channel, (cursor = new Map<string, number>()));
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
          const had = this.cursors.has(channel);
          const cursor: Cursor = this.cursors.get(channel) ?? new Map<string, number>();
          const fromServer = parseCursor(frame.cursors[channel] ?? '');
          if (fromServer) mergeCursor(cursor, fromServer);
          this.cursors.set(channel, cursor);
          if (had) {
            const recovered = !frame.unrecovered.includes(channel);
            for (const l of this.recoveryListeners) l({ channel, recovered });
          }
        }
        return;
      case 'hello':
        this.attempt = 0;
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

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Subscriptions made in one tick go out as one frame (frames are rate limited).
    queueMicrotask(() => {
      this.flushQueued = false;
      if (this.ws?.readyState === OPEN) this.flush();
    });
  }

  private flush(): void {
    if (this.toUnsubscribe.size > 0) {
      this.sendFrame({ type: 'unsubscribe', id: this.nextId++, channels: [...this.toUnsubscribe] });
      this.toUnsubscribe.clear();
    }
    if (this.toSubscribe.size > 0) {
      // Several frames when needed: the gateway refuses frames over its size limit (16 KiB default).
      let channels: string[] = [];
      let since: Record<string, string> = {};
      let size = 0;
      const send = () => {
        if (channels.length === 0) return;
        this.sendFrame({
          type: 'subscribe',
          id: this.nextId++,
          channels,
          ...(Object.keys(since).length ? { since } : {}),
        });
        channels = [];
        since = {};
        size = 0;
      };
      for (const ch of this.toSubscribe) {
        const c = this.cursors.get(ch);
        const cursor = c && c.size > 0 ? formatCursor(c) : undefined;
        const cost = ch.length * 2 + (cursor?.length ?? 0) + 16;
        if (size + cost > 8_000) send();
        channels.push(ch);
        if (cursor) since[ch] = cursor;
        size += cost;
      }
      send();
      this.toSubscribe.clear();
    }
  }

  private sendFrame(frame: ClientFrame): void {
    this.ws?.send(JSON.stringify(frame));
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private emitError(e: StreamError): void {
    for (const l of this.errorListeners) l(e);
  }
}
