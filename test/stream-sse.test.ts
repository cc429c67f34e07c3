// The HTTP transports against a real hub (Kafka when the broker is up, as in production): an
// EventSource (the `eventsource` package, the W3C client) behind a TCP proxy that is cut and
// restored reconnects with Last-Event-ID and ends with exactly the published sequence; long-poll
// does the same with its cursor; a cursor older than the history gets recovered:false; private
// channels are refused on both; stream tokens open SSE for their user only; heartbeats show; a
// stream that does not read is closed with 4008 like a WebSocket.
import { get, type IncomingMessage } from 'node:http';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../app/hub.ts';
import { mintToken } from '../core/auth/index.ts';
import type { EventFrame, PollResponse, ServerFrame } from '../stream/client/protocol.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { payment, reading, startGatewayHub } from './support/stream.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const SECRET = 'stream-sse-test-secret-0123456789abcdef0123';
const prefix = testTopicPrefix('sse');
const STATION = 'SZ-SSE-01';
const token = (sub: string) => mintToken(SECRET, { sub, role: 'citizen' });

/** An EventSource that records every frame, the ids it got, and each (re)open. */
function listen(url: string, init?: ConstructorParameters<typeof EventSource>[1]) {
  const es = new EventSource(url, init);
  const frames: ServerFrame[] = [];
  let opens = 0;
  es.addEventListener('open', () => opens++);
  es.addEventListener('message', (m) => frames.push(JSON.parse(m.data as string) as ServerFrame));
  return {
    es,
    frames,
    get opens() {
      return opens;
    },
    events: () => frames.filter((f): f is EventFrame => f.type === 'event'),
    of: <T extends ServerFrame['type']>(type: T) =>
      frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type),
  };
}

describe(`SSE and long-poll transports (${kafka ? 'Kafka' : 'embedded bus'})`, () => {
  let hub: Hub;
  let base: string;
  let proxy: TcpProxy;
  const sources: EventSource[] = [];

  const publish = async (n: number, from: number) => {
    const events = Array.from({ length: n }, (_, i) => reading(STATION, 'shenzhen', from + i));
    await hub.ctx.bus.publish(
      'air.readings.v1',
      events.map((event) => ({ key: STATION, event })),
    );
    return events.map((e) => e.id);
  };
  const poll = async (query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/v1/events?${query}`, { headers });
    return { status: res.status, body: (await res.json()) as PollResponse & { detail?: string } };
  };

  beforeAll(async () => {
    hub = await startGatewayHub({
      CITYSTREAM_JWT_SECRET: SECRET,
      CITYSTREAM_WS_HEARTBEAT_MS: '400',
      CITYSTREAM_WS_HISTORY_SIZE: '40',
      ...(kafka ? { KAFKA_BROKERS: kafka.value!, KAFKA_TOPIC_PREFIX: prefix } : {}),
    });
    base = `http://127.0.0.1:${hub.port}`;
    proxy = await startTcpProxy({ host: '127.0.0.1', port: hub.port });
  });
  afterAll(async () => {
    for (const es of sources) es.close();
    await proxy?.close();
    await hub?.stop();
    if (kafka) await deleteTestTopics(kafka.value!.split(','), prefix);
  });

  it('an EventSource cut off and reconnected with Last-Event-ID ends with the exact sequence', async () => {
    const c = listen(`${proxy.url}/sse?channels=air:station:${STATION},air:city:shenzhen`);
    sources.push(c.es);
    await waitFor(() => c.of('subscribed').length === 1, 'subscribed');
    expect(c.of('hello')[0]).toMatchObject({ transport: 'sse', heartbeatMs: 400, user: null });
    // Heartbeats are ordinary messages, so a page sees them.
    await waitFor(() => c.of('heartbeat').length >= 1, 'a heartbeat');

    const published = await publish(5, 1);
    await waitFor(() => c.events().length === 10, 'ten events (five readings on two channels)');

    proxy.sever();
    await waitFor(() => c.es.readyState !== EventSource.OPEN, 'the stream to drop');
    published.push(...(await publish(6, 6)));
    proxy.restore();

    await waitFor(
      () => c.opens === 2 && c.events().length === 22,
      'the missed events after reconnecting',
      20_000,
    );
    const second = c.of('subscribed')[1]!;
    expect(second).toMatchObject({ recovered: true, unrecovered: [] });
    for (const channel of [`air:station:${STATION}`, 'air:city:shenzhen']) {
      const got = c
        .events()
        .filter((f) => f.channel === channel)
        .map((f) => f.event.id);
      expect(got).toEqual(published);
    }
    c.es.close();
  });

  it('a Last-Event-ID older than the history gets recovered:false, then live events', async () => {
    const first = listen(`${base}/sse?channels=air:station:${STATION}`);
    sources.push(first.es);
    await waitFor(() => first.of('subscribed').length === 1, 'subscribed');
    await publish(1, 100);
    await waitFor(() => first.events().length === 1, 'one event');
    const old = first.events()[0]!;
    // More than the 40 events the gateway keeps per channel (seen by the gateway before resuming).
    await publish(45, 200);
    await waitFor(() => first.events().length === 46, 'the gateway to have them all');
    first.es.close();
    const cursor = `air.readings.v1/${old.pos}`;
    const again = listen(`${base}/sse?channels=air:station:${STATION}`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...init?.headers, 'last-event-id': cursor } }),
    });
    sources.push(again.es);
    await waitFor(() => again.of('subscribed').length === 1, 'subscribed');
    expect(again.of('subscribed')[0]).toMatchObject({
      recovered: false,
      unrecovered: [`air:station:${STATION}`],
    });
    expect(again.events()).toEqual([]);
    const [live] = await publish(1, 300);
    await waitFor(() => again.events().length === 1, 'the next live event');
    expect(again.events()[0]!.event.id).toBe(live);
    again.es.close();

    // Long-poll says the same for the same cursor.
    const r = await poll(`channels=air:station:${STATION}&since=${encodeURIComponent(cursor)}&wait=0`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ recovered: false, unrecovered: [`air:station:${STATION}`], events: [] });
  });

  it('long-poll returns what follows its cursor, waits for the next events, and loses nothing across a gap', async () => {
    const channels = `channels=air:station:${STATION},air:city:shenzhen`;
    const start = await poll(`${channels}&wait=0`);
    expect(start.status).toBe(200);
    expect(start.body.events).toEqual([]);
    let cursor = start.body.cursor;
    expect(Object.keys(start.body.cursors)).toEqual([`air:station:${STATION}`, 'air:city:shenzhen']);

    const got: EventFrame[] = [];
    const next = async (wait: number) => {
      const r = await poll(`${channels}&since=${encodeURIComponent(cursor)}&wait=${wait}`);
      expect(r.status).toBe(200);
      got.push(...r.body.events);
      cursor = r.body.cursor;
      return r.body;
    };
    const published = await publish(3, 400);
    // A poll answers as soon as the gateway has events after the cursor (Kafka may take a moment).
    await waitFor(async () => (await next(5)) && got.length >= 6, 'the three readings on both channels');
    expect(got).toHaveLength(6);

    // A waiting poll answers as soon as events come.
    const started = Date.now();
    const waiting = next(20);
    await new Promise((r) => setTimeout(r, 300));
    published.push(...(await publish(2, 500)));
    const body = await waiting;
    expect(body.events.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The client was away for a while: everything since its cursor comes in the next polls.
    published.push(...(await publish(4, 600)));
    await waitFor(
      async () => got.length === published.length * 2 || ((await next(1)) && false),
      'all events',
      20_000,
    );
    for (const channel of [`air:station:${STATION}`, 'air:city:shenzhen']) {
      expect(got.filter((f) => f.channel === channel).map((f) => f.event.id)).toEqual(published);
    }
    // Nothing new: a short wait answers empty with the same cursor.
    const idle = await next(1);
    expect(idle.events).toEqual([]);
  });

  it('refuses private channels of others on both, names bad input, and opens SSE with a stream token', async () => {
    const u1 = await token('sse-u1');
    // Anonymous, and another user's channel.
    for (const [path, auth, status] of [
      ['/sse?channels=user:sse-u2', undefined, 401],
      ['/sse?channels=user:sse-u2', u1, 403],
      ['/v1/events?channels=user:sse-u2&wait=0', undefined, 401],
      ['/v1/events?channels=aqi:city:shenzhen,user:sse-u2&wait=0', u1, 403],
    ] as const) {
      const res = await fetch(`${base}${path}`, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { channel: string; detail: string };
      expect(problem.channel).toBe('user:sse-u2');
      expect(problem.detail).toContain('private');
    }
    const bad = await fetch(`${base}/v1/events?channels=nope:1&since=x`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('channels');
    const badSince = await fetch(`${base}/sse?channels=aqi:city:shenzhen&since=yesterday`);
    expect(badSince.status).toBe(400);
    expect(((await badSince.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('since');

    // A stream token: minted from the bearer token, good for its user's channel only.
    const minted = await fetch(`${base}/v1/stream/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u1}` },
    });
    expect(minted.status).toBe(201);
    const { token: streamToken, expiresAt } = (await minted.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await fetch(`${base}/v1/stream/tokens`, { method: 'POST' })).status).toBe(401);
    // A bearer token in the URL is not a stream token; a stream token is not a bearer token.
    expect((await fetch(`${base}/sse?channels=user:sse-u1&token=${u1}`)).status).toBe(401);
    const asBearer = await fetch(`${base}/v1/events?channels=user:sse-u1&wait=0`, {
      headers: { authorization: `Bearer ${streamToken}` },
    });
    expect(asBearer.status).toBe(401);
    expect((await fetch(`${base}/sse?channels=user:sse-u2&token=${streamToken}`)).status).toBe(403);

    const mine = listen(`${base}/sse?channels=user:sse-u1&token=${streamToken}`);
    sources.push(mine.es);
    await waitFor(() => mine.of('subscribed').length === 1, 'subscribed to own channel');
    expect(mine.of('hello')[0]!.user).toMatchObject({ sub: 'sse-u1' });
    const pay = payment('sse-u1');
    await hub.ctx.bus.publish('payments.v1', [{ key: 'sse-u1', event: pay }]);
    await waitFor(() => mine.events().length === 1, 'the payment event');
    expect(mine.events()[0]!.event.id).toBe(pay.id);
    mine.es.close();
  });
});

describe('SSE backpressure', () => {
  let hub: Hub;
  afterAll(async () => {
    await hub?.stop();
  });

  it('closes a stream that does not read with 4008 on a channel that cannot be conflated, as /ws does', async () => {
    hub = await startGatewayHub({ CITYSTREAM_WS_SEND_BUFFER_BYTES: '65536' });
    let text = '';
    let ended = false;
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`http://127.0.0.1:${hub.port}/sse?channels=air:station:SZ-SLOW-1`, resolve).on('error', reject),
    );
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => (ended = true));
    await waitFor(() => text.includes('"type":"subscribed"'), 'subscribed');
    // The client stops reading: bytes pile up in the kernel, then in the gateway's buffer.
    res.pause();
    for (let i = 0; i < 40 && !/slow_consumer"} [1-9]/.test(await metrics()); i++) {
      const batch = Array.from({ length: 500 }, (_, j) => reading('SZ-SLOW-1', 'shenzhen', i * 500 + j));
      await hub.ctx.bus.publish(
        'air.readings.v1',
        batch.map((event) => ({ key: 'SZ-SLOW-1', event })),
      );
    }
    expect(await metrics()).toMatch(/citystream_ws_closed_total\{reason="slow_consumer"\} [1-9]/);
    res.resume();
    await waitFor(() => ended, 'the stream to end');
    const last = text.trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({
      type: 'close',
      code: 4008,
      reason: expect.stringContaining('slow consumer') as string,
    });

    async function metrics(): Promise<string> {
      return (await fetch(`http://127.0.0.1:${hub.port}/metrics`)).text();
    }
  });
});
