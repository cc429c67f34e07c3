// The three ways the SDK reaches a gateway: a WebSocket, an SSE stream read with fetch (so it can
// send the Authorization header, which EventSource cannot), and long-poll. Each one only moves
// frames; StreamClient (index.ts) decides which to use, keeps cursors and drops duplicates.
import { createParser } from 'eventsource-parser';
import type { ClientFrame, PollResponse, ServerFrame, TransportKind } from './protocol.ts';

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
export type FetchLike = typeof fetch;

/** What a transport reads from the client whenever it (re)opens or changes its channels. */
export interface Wanted {
  channels: string[];
  /** Per channel, the cursor of what the client has (absent: start live). */
  cursors: Record<string, string>;
  /**
   * One cursor for all channels (per partition, the least advanced channel): what SSE and
   * long-poll send as `since`. Duplicates it causes for further-ahead channels are dropped by
   * the client.
   */
  since: string | undefined;
  token: string | undefined;
}

export interface TransportSink {
  frame(frame: ServerFrame): void;
  /** Long-poll, which has no `hello`: the first answer came; answers take up to `heartbeatMs`. */
  opened(heartbeatMs: number): void;
  /**
   * Long-poll: the cursors after the events just delivered, the channels not recovered, and
   * whether this was the transport's first answer (a resubscription, as a `subscribed` is).
   */
  caughtUp(cursors: Record<string, string>, unrecovered: string[], first: boolean): void;
  /** The gateway refused a channel of the request (SSE, long-poll): drop it and go on. */
  refused(channel: string, code: 'forbidden' | 'unauthorized' | 'unknown_channel', message: string): void;
  /** The transport ended; `code`/`reason` when the gateway said why. */
  closed(info: { code?: number; reason?: string }): void;
}

export interface ClientTransport {
  readonly kind: TransportKind;
  /** The wanted channels changed: subscribe/unsubscribe (WebSocket) or reopen with them. */
  changed(subscribe: string[], unsubscribe: string[]): void;
  /** A new token: sent at once (WebSocket) or used from the next request. */
  authenticate(token: string): void;
  /** Ends it; no `closed` follows. */
  close(): void;
}

const OPEN = 1;

export class WebSocketTransport implements ClientTransport {
  readonly kind = 'websocket';
  private readonly ws: WebSocketLike;
  private ready = false;
  private nextId = 1;
  private done = false;

  private readonly wanted: () => Wanted;
  private readonly sink: TransportSink;

  constructor(url: string, Ctor: WebSocketConstructor, wanted: () => Wanted, sink: TransportSink) {
    this.wanted = wanted;
    this.sink = sink;
    this.ws = new Ctor(url);
    this.ws.onmessage = (ev) => {
      if (this.done) return;
      const text = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
      const frame = JSON.parse(text) as ServerFrame;
      if (frame.type === 'hello') {
        // Tokens go in an `auth` frame, not the URL; frames are handled in order, so the
        // subscribe that follows is checked against this identity.
        const w = this.wanted();
        if (w.token) this.send({ type: 'auth', id: this.nextId++, token: w.token });
        this.ready = true;
        this.subscribe(w.channels, w.cursors);
      }
      this.sink.frame(frame);
    };
    this.ws.onerror = () => undefined; // onclose follows and carries the code
    this.ws.onclose = (ev) => {
      if (this.done) return;
      this.done = true;
      this.sink.closed({ code: ev.code, reason: ev.reason });
    };
  }

  changed(subscribe: string[], unsubscribe: string[]): void {
    if (!this.ready || this.ws.readyState !== OPEN) return; // hello subscribes to all of them
    if (unsubscribe.length) this.send({ type: 'unsubscribe', id: this.nextId++, channels: unsubscribe });
    this.subscribe(subscribe, this.wanted().cursors);
  }

  authenticate(token: string): void {
    if (this.ready && this.ws.readyState === OPEN) this.send({ type: 'auth', id: this.nextId++, token });
  }

  /** Several frames when needed: the gateway refuses frames over its size limit (16 KiB default). */
  private subscribe(names: string[], cursors: Record<string, string>): void {
    let channels: string[] = [];
    let since: Record<string, string> = {};
    let size = 0;
    const send = () => {
      if (channels.length === 0) return;
      this.send({
        type: 'subscribe',
        id: this.nextId++,
        channels,
        ...(Object.keys(since).length ? { since } : {}),
      });
      channels = [];
      since = {};
      size = 0;
    };
    for (const ch of names) {
      const cursor = cursors[ch];
      const cost = ch.length * 2 + (cursor?.length ?? 0) + 16;
      if (size + cost > 8_000) send();
      channels.push(ch);
      if (cursor) since[ch] = cursor;
      size += cost;
    }
    send();
  }

  private send(frame: ClientFrame): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.ws.close(1000, 'client closed');
  }
}

/** What a refused HTTP request says, as problem+json. */
async function refusal(res: Response): Promise<{ channel?: string; message: string }> {
  try {
    const p = (await res.json()) as { channel?: unknown; detail?: unknown; title?: unknown };
    return {
      ...(typeof p.channel === 'string' ? { channel: p.channel } : {}),
      message: typeof p.detail === 'string' ? p.detail : `${res.status} ${res.statusText}`,
    };
  } catch {
    return { message: `${res.status} ${res.statusText}` };
  }
}

function query(w: Wanted, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ channels: w.channels.join(','), ...extra });
  if (w.since) q.set('since', w.since);
  return q.toString();
}

const headersOf = (w: Wanted, accept: string): Record<string, string> => ({
  accept,
  ...(w.token ? { authorization: `Bearer ${w.token}` } : {}),
});

/**
 * Handles a refused request; true when it named a channel (the client drops it and goes on),
 * false when the transport itself failed.
 */
async function refused(res: Response, sink: TransportSink): Promise<boolean> {
  const r = await refusal(res);
  if (!r.channel || ![400, 401, 403].includes(res.status)) return false;
  const code = res.status === 400 ? 'unknown_channel' : res.status === 401 ? 'unauthorized' : 'forbidden';
  sink.refused(r.channel, code, r.message);
  return true;
}

/** A refused token is told as on /ws (4401): the client gets a fresh one and tries again. */
const failure = (res: Response, what: string): { code?: number; reason: string } =>
  res.status === 401
    ? { code: 4401, reason: `${what}: token refused` }
    : { reason: `${what} answered ${res.status}` };

/** SSE read with fetch: one request streaming frames; reopened when the channels change. */
export class SseTransport implements ClientTransport {
  readonly kind = 'sse';
  private abort: AbortController | null = null;
  private done = false;

  private readonly base: string;
  private readonly fetch: FetchLike;
  private readonly wanted: () => Wanted;
  private readonly sink: TransportSink;

  constructor(base: string, fetchImpl: FetchLike, wanted: () => Wanted, sink: TransportSink) {
    this.base = base;
    this.fetch = fetchImpl;
    this.wanted = wanted;
    this.sink = sink;
    void this.open();
  }

  private async open(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const w = this.wanted();
    const end = (info: { code?: number; reason?: string }) => {
      if (this.abort !== abort || this.done) return;
      this.done = true;
      abort.abort();
      this.sink.closed(info);
    };
    try {
      const res = await this.fetch(`${this.base}/sse?${query(w)}`, {
        headers: headersOf(w, 'text/event-stream'),
        cache: 'no-store',
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        if (this.abort === abort && !this.done && (await refused(res, this.sink))) return void this.open();
        return end(failure(res, 'SSE'));
      }
      let closing: { code: number; reason: string } | null = null;
      const parser = createParser({
        onEvent: (m) => {
          if (this.abort !== abort || this.done) return;
          const frame = JSON.parse(m.data) as ServerFrame;
          if (frame.type === 'close') closing = { code: frame.code, reason: frame.reason };
          else this.sink.frame(frame);
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      end(closing ?? { reason: 'SSE stream ended' });
    } catch (err) {
      end({ reason: `SSE failed: ${String(err)}` });
    }
  }

  changed(): void {
    // The channel set is part of the request: reopen with it, resuming from the cursors.
    if (this.done) return;
    this.abort?.abort();
    void this.open();
  }

  authenticate(): void {
    this.changed();
  }

  close(): void {
    this.done = true;
    this.abort?.abort();
  }
}

/** Long-poll: one request at a time; each answer moves the cursor on. */
export class PollTransport implements ClientTransport {
  readonly kind = 'poll';
  private abort: AbortController | null = null;
  private done = false;
  private greeted = false;

  private readonly base: string;
  private readonly fetch: FetchLike;
  private readonly wanted: () => Wanted;
  private readonly sink: TransportSink;
  private readonly waitSeconds: number;

  constructor(
    base: string,
    fetchImpl: FetchLike,
    wanted: () => Wanted,
    sink: TransportSink,
    waitSeconds = 25,
  ) {
    this.base = base;
    this.fetch = fetchImpl;
    this.wanted = wanted;
    this.sink = sink;
    this.waitSeconds = waitSeconds;
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.done) {
      const abort = new AbortController();
      this.abort = abort;
      const w = this.wanted();
      // The first answer (it stands for hello) and a channel without a cursor come at once.
      const wait = this.greeted && w.channels.every((c) => w.cursors[c]) ? this.waitSeconds : 0;
      try {
        if (w.channels.length === 0) {
          this.greet();
          // Nothing to poll: wait until `changed` aborts this.
          await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
          continue;
        }
        const res = await this.fetch(`${this.base}/v1/events?${query(w, { wait: String(wait) })}`, {
          headers: headersOf(w, 'application/json'),
          cache: 'no-store',
          signal: abort.signal,
        });
        if (this.done) return;
        if (!res.ok) {
          if (await refused(res, this.sink)) continue;
          return this.end(failure(res, 'long-poll'));
        }
        const body = (await res.json()) as PollResponse;
        if (this.done || abort.signal.aborted) continue;
        const first = !this.greeted;
        this.greet();
        for (const e of body.events) this.sink.frame(e);
        this.sink.caughtUp(body.cursors, body.unrecovered, first);
        // Every answer, even an empty one, shows the link is alive.
        this.sink.frame({ type: 'heartbeat' });
      } catch (err) {
        if (this.done) return;
        if (abort.signal.aborted) continue; // `changed`: poll again with the new channels
        return this.end({ reason: `long-poll failed: ${String(err)}` });
      }
    }
  }

  /** Long-poll has no hello: the first answer stands for it. */
  private greet(): void {
    if (this.greeted) return;
    this.greeted = true;
    // The longest an answer can take: the silence bound follows from it.
    this.sink.opened(this.waitSeconds * 1000);
  }

  private end(info: { code?: number; reason?: string }): void {
    if (this.done) return;
    this.done = true;
    this.sink.closed(info);
  }

  changed(): void {
    this.abort?.abort();
  }

  authenticate(): void {
    // The next poll carries it.
  }

  close(): void {
    this.done = true;
    this.abort?.abort();
  }
}
