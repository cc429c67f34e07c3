// The /ws gateway over real sockets on an in-process hub (embedded bus): subscribe and receive,
// auth and permissions, limits and malformed frames, pings, and the SDK against it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../core/auth/index.ts';
import type { Hub } from '../app/hub.ts';
import { StreamClient, type ConnectionState, type LiveEvent } from '../stream/client/index.ts';
import type { Duplex } from 'node:stream';
import { payment, RawClient, reading, startGatewayHub } from './support/stream.ts';
import { waitFor } from './support/wait.ts';
import { EVENT_TYPES, makeEvent } from '../core/events/index.ts';

const SECRET = 'stream-gateway-test-secret-0123456789abcdef';

async function startHub(env: Record<string, string> = {}): Promise<{ hub: Hub; url: string }> {
  const hub = await startGatewayHub({ CITYSTREAM_JWT_SECRET: SECRET, ...env });
  return { hub, url: `ws://127.0.0.1:${hub.port}/ws` };
}

const token = (sub: string, ttlSeconds = 3600) => mintToken(SECRET, { sub, role: 'citizen' }, ttlSeconds);

describe('ws gateway', () => {
  let hub: Hub;
  let url: string;
  const clients: RawClient[] = [];
  /** Server side of every upgraded socket, to cut connections as a network drop would. */
  const upgraded: Duplex[] = [];
  const connect = async (options: Parameters<typeof RawClient.connect>[1] = {}) => {
    const c = await RawClient.connect(url, options);
    clients.push(c);
    await waitFor(() => c.of('hello').length === 1 || c.closed, 'hello frame');
    return c;
  };

  beforeAll(async () => {
    ({ hub, url } = await startHub({
      CITYSTREAM_WS_MAX_SUBSCRIPTIONS: '3',
      CITYSTREAM_WS_MAX_MESSAGE_BYTES: '1024',
      CITYSTREAM_WS_MESSAGE_RATE: '5',
      CITYSTREAM_WS_MESSAGE_BURST: '30',
      CITYSTREAM_WS_PING_INTERVAL_MS: '200',
    }));
    hub.ctx.http.server.prependListener('upgrade', (_req, socket: Duplex) => upgraded.push(socket));
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await hub?.stop();
  });

  it('delivers events of subscribed channels with their position, anonymously for public channels', async () => {
    const c = await connect();
    expect(c.of('hello')[0]).toMatchObject({
      user: null,
      limits: { maxSubscriptions: 3, maxMessageBytes: 1024 },
    });
    c.send({ type: 'subscribe', id: 1, channels: ['air:station:GZ-0001', 'air:city:guangzhou'] });
    await waitFor(() => c.of('subscribed').length === 1, 'subscribe ack');
    const ack = c.of('subscribed')[0]!;
    expect(ack).toMatchObject({
      id: 1,
      channels: ['air:station:GZ-0001', 'air:city:guangzhou'],
      recovered: true,
    });
    // A station channel is fed by the key's partition only; a city channel by all six.
    expect(ack.cursors['air:station:GZ-0001']).toMatch(/^air\.readings\.v1\/\d:-1$/);
    expect(ack.cursors['air:city:guangzhou']!.split(',')).toHaveLength(6);

    const e = reading('GZ-0001', 'guangzhou', 35.2);
    await hub.ctx.bus.publish('air.readings.v1', [
      { key: 'GZ-0001', event: e },
      { key: 'SZ-0001', event: reading('SZ-0001', 'shenzhen', 10) },
    ]);
    await waitFor(() => c.of('event').length === 2, 'two event frames');
    const events = c.of('event');
    expect(events.map((f) => f.channel).sort()).toEqual(['air:city:guangzhou', 'air:station:GZ-0001']);
    for (const f of events) {
      expect(f.topic).toBe('air.readings.v1');
      expect(f.pos).toMatch(/^\d:0$/);
      expect(f.event).toMatchObject({
        id: e.id,
        type: 'city.air.reading.v1',
        data: { stationId: 'GZ-0001', pm25: 35.2 },
      });
    }

    c.send({ type: 'unsubscribe', id: 2, channels: ['air:city:guangzhou'] });
    await waitFor(() => c.of('unsubscribed').length === 1, 'unsubscribe ack');
    expect(c.of('unsubscribed')[0]).toEqual({
      type: 'unsubscribed',
      id: 2,
      channels: ['air:city:guangzhou'],
    });
    await hub.ctx.bus.publish('air.readings.v1', [
      { key: 'GZ-0001', event: reading('GZ-0001', 'guangzhou', 40) },
    ]);
    await waitFor(() => c.of('event').length === 3, 'third event');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.of('event').map((f) => f.channel)).toEqual([
      ...events.map((f) => f.channel),
      'air:station:GZ-0001',
    ]);
  });

  it("derives each reading's AQI for aqi:city at the reading's position, and replays it on resume", async () => {
    const c = await connect();
    c.send({ type: 'subscribe', id: 1, channels: ['aqi:city:foshan', 'air:city:foshan'] });
    await waitFor(() => c.of('subscribed').length === 1, 'subscribe ack');
    const ack = c.of('subscribed')[0]!;
    // Fed by the readings topic, every partition: there is no AQI topic.
    expect(ack.cursors['aqi:city:foshan']).toBe(ack.cursors['air:city:foshan']);
    expect(ack.cursors['aqi:city:foshan']!.split(',').every((tp) => tp.startsWith('air.readings.v1/'))).toBe(
      true,
    );

    const polluted = reading('FS-AQI', 'foshan', 91); // PM2.5 91 µg/m³: HJ 633 IAQI 120
    const weatherOnly = makeEvent({
      type: EVENT_TYPES.airReading,
      source: 'test',
      subject: 'FS-AQI',
      data: { stationId: 'FS-AQI', city: 'foshan' as const, time: new Date().toISOString(), temperature: 21 },
    });
    await hub.ctx.bus.publish('air.readings.v1', [
      { key: 'FS-AQI', event: polluted },
      { key: 'FS-AQI', event: weatherOnly },
    ]);
    await waitFor(() => c.of('event').length === 3, 'two readings and one AQI');
    const aqi = c.of('event').filter((f) => f.channel === 'aqi:city:foshan');
    expect(aqi).toHaveLength(1);
    const ofReading = c
      .of('event')
      .find((f) => f.channel === 'air:city:foshan' && f.event.id === polluted.id)!;
    expect(aqi[0]).toMatchObject({
      topic: 'air.readings.v1',
      pos: ofReading.pos,
      event: {
        type: 'city.air.aqi.v1',
        id: `aqi/FS-AQI/${polluted.time}`,
        subject: 'FS-AQI',
        time: polluted.time,
        data: {
          stationId: 'FS-AQI',
          city: 'foshan',
          time: polluted.time,
          cn: { aqi: 120, level: 3, primaryPollutants: ['pm25'], iaqi: { pm25: 120 } },
          us: { primaryPollutant: 'pm25' },
        },
      },
    });

    // A client that was away resumes from the cursor it had: the AQI comes again, the same event.
    const back = await connect();
    back.send({
      type: 'subscribe',
      id: 1,
      channels: ['aqi:city:foshan'],
      since: { 'aqi:city:foshan': ack.cursors['aqi:city:foshan'] },
    });
    await waitFor(() => back.of('event').length === 1, 'replayed AQI');
    expect(back.of('subscribed')[0]).toMatchObject({ recovered: true });
    expect(back.of('event')[0]).toEqual(aqi[0]);
  });

  it('keeps user channels private to their user, with tokens by header, query or auth frame', async () => {
    const anonymous = await connect();
    anonymous.send({ type: 'subscribe', id: 7, channels: ['user:u1'] });
    await waitFor(() => anonymous.of('error').length === 1, 'forbidden');
    expect(anonymous.of('error')[0]).toMatchObject({ id: 7, code: 'forbidden', channel: 'user:u1' });
    expect(anonymous.of('subscribed')).toHaveLength(0);

    const other = await connect({ token: await token('u2') });
    expect(other.of('hello')[0]!.user).toMatchObject({ sub: 'u2', role: 'citizen' });
    other.send({ type: 'subscribe', id: 1, channels: ['user:u1', 'user:u2'] });
    await waitFor(() => other.of('subscribed').length === 1, 'ack');
    expect(other.of('error')[0]).toMatchObject({ code: 'forbidden', channel: 'user:u1' });
    expect(other.of('error')[0]!.message).toMatch(/private to user u1; you are u2/);
    expect(other.of('subscribed')[0]!.channels).toEqual(['user:u2']);

    const owner = await connect({ headers: {} });
    // Token refresh without reconnecting: auth frame, then the subscribe it allows.
    owner.send({ type: 'auth', id: 1, token: await token('u1') });
    owner.send({ type: 'subscribe', id: 2, channels: ['user:u1'] });
    await waitFor(() => owner.of('subscribed').length === 1, 'ack');
    expect(owner.of('authenticated')[0]).toMatchObject({ id: 1, user: { sub: 'u1' } });

    const byQuery = new RawClient(new WebSocket(`${url}?token=${await token('u1')}`));
    clients.push(byQuery);
    await waitFor(() => byQuery.of('hello').length === 1, 'hello');
    expect(byQuery.of('hello')[0]!.user).toMatchObject({ sub: 'u1' });

    await hub.ctx.bus.publish('payments.v1', [
      { key: 'u1', event: payment('u1') },
      { key: 'u2', event: payment('u2') },
    ]);
    await waitFor(() => owner.of('event').length === 1 && other.of('event').length === 1, 'private events');
    expect(owner.of('event')[0]!.event.data).toMatchObject({ userId: 'u1' });
    expect(other.of('event')[0]!.event.data).toMatchObject({ userId: 'u2' });

    // Switching identity drops what the new identity may not read.
    owner.send({ type: 'auth', id: 3, token: await token('u3') });
    await waitFor(() => owner.of('authenticated').length === 2, 're-auth');
    expect(owner.of('error')).toEqual([
      expect.objectContaining({ code: 'forbidden', channel: 'user:u1', id: 3 }),
    ]);
    // A refused refresh keeps the connection and its identity.
    owner.send({ type: 'auth', id: 4, token: 'not-a-jwt' });
    await waitFor(() => owner.of('error').length === 2, 'unauthorized');
    expect(owner.of('error')[1]).toMatchObject({ id: 4, code: 'unauthorized' });
    expect(owner.closed).toBeNull();
  });

  it('closes with 4401 and a reason for an invalid token at connect and when a token expires', async () => {
    const bad = await RawClient.connect(url, { token: 'garbage' });
    clients.push(bad);
    await waitFor(() => bad.closed, 'close');
    expect(bad.closed).toEqual({ code: 4401, reason: 'invalid token' });

    const expiring = await connect({ token: await token('u1', 2) });
    expect(expiring.closed).toBeNull();
    await waitFor(() => expiring.closed, 'close at expiry', 5_000);
    expect(expiring.closed).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('answers malformed and over-limit frames with precise errors and keeps the connection', async () => {
    const c = await connect();
    c.send('not json');
    c.send({ type: 'subscribe', id: 1 });
    c.send({ type: 'dance', id: 2 });
    c.send({ type: 'subscribe', id: 3, channels: ['weather:city:x', 'air:city:beijing'] });
    c.send({
      type: 'subscribe',
      id: 4,
      channels: ['air:city:foshan'],
      since: { 'air:city:foshan': 'yesterday' },
    });
    c.send({ type: 'subscribe', id: 5, channels: ['x'.repeat(2000)] });
    c.send({
      type: 'subscribe',
      id: 6,
      channels: ['air:city:foshan', 'aqi:city:foshan', 'camera:C1', 'incidents:city:foshan'],
    });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => c.of('error').length === 9, 'nine errors');
    const errors = c.of('error').map((e) => [e.id, e.code, e.channel, e.message]);
    expect(errors).toEqual([
      [undefined, 'bad_request', undefined, 'frame is not valid JSON'],
      [1, 'bad_request', undefined, expect.stringMatching(/^channels: /)],
      [2, 'bad_request', undefined, 'type: expected one of subscribe, unsubscribe, auth, ping'],
      [
        3,
        'unknown_channel',
        'weather:city:x',
        expect.stringMatching(/unknown channel "weather:city:x"; channels are/),
      ],
      [
        3,
        'unknown_channel',
        'air:city:beijing',
        expect.stringMatching(/expected a city id: shenzhen, guangzhou, foshan/),
      ],
      [
        4,
        'bad_since',
        'air:city:foshan',
        expect.stringMatching(/since\["air:city:foshan"\]: expected a cursor/),
      ],
      [5, 'message_too_large', undefined, 'frame of 2043 bytes is over the 1024-byte limit; dropped'],
      [6, 'subscription_limit', 'incidents:city:foshan', expect.stringMatching(/at most 3 subscriptions/)],
      [undefined, 'bad_request', undefined, 'send JSON text frames, not binary'],
    ]);
    expect(c.of('subscribed')[0]!.channels).toEqual(['air:city:foshan', 'aqi:city:foshan', 'camera:C1']);

    // Over the rate: the burst (30, less what this connection already spent) passes, the rest
    // are refused, each with its id.
    for (let i = 100; i < 140; i++) c.send({ type: 'ping', id: i });
    await waitFor(
      () => c.of('pong').length + c.of('error').filter((e) => e.code === 'rate_limited').length >= 40,
      'answers',
    );
    const limited = c.of('error').filter((e) => e.code === 'rate_limited');
    const answered = c.of('pong').map((p) => p.id!);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect([...answered, ...limited.map((e) => e.id!)]).toEqual(
      Array.from({ length: 40 }, (_, i) => 100 + i),
    );
    expect(limited[0]!.message).toBe('more than 5 frames/s (burst 30); frame dropped');

    // A frame past the hard cap (4× the limit) is not read at all: 1009.
    c.send('x'.repeat(5000));
    await waitFor(() => c.closed, 'close');
    expect(c.closed!.code).toBe(1009);
  });

  it('pings and drops peers that stop answering', async () => {
    const live = await connect();
    const dead = await connect({ autoPong: false });
    await waitFor(() => dead.closed, 'dead peer dropped', 3_000);
    expect(dead.closed!.code).toBe(1006);
    expect(live.closed).toBeNull();
  });

  it('the SDK subscribes, receives typed events, follows a token refresh and resubscribes after a drop', async () => {
    const states: ConnectionState[] = [];
    const received: LiveEvent[] = [];
    const recoveries: { channel: string; recovered: boolean }[] = [];
    const client = new StreamClient({
      url,
      token: () => token('u9'),
      WebSocket,
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    client.onState((s) => states.push(s));
    client.onRecovery((r) => recoveries.push(r));
    client.subscribe('user:u9', (e) => received.push(e));
    client.subscribe('air:station:SDK-1', (e) => received.push(e));
    await waitFor(() => client.cursor('user:u9') && client.cursor('air:station:SDK-1'), 'acks');

    await hub.ctx.bus.publish('payments.v1', [{ key: 'u9', event: payment('u9') }]);
    await hub.ctx.bus.publish('air.readings.v1', [{ key: 'SDK-1', event: reading('SDK-1', 'foshan', 1) }]);
    await waitFor(() => received.length === 2, 'two events');
    expect(received.map((e) => e.channel).sort()).toEqual(['air:station:SDK-1', 'user:u9']);

    client.setToken(await token('u9'));
    // Cut the connection from the server side, publish while it is down: the SDK reconnects
    // and resumes with since.
    const before = states.length;
    for (const s of upgraded.splice(0)) s.destroy();
    await waitFor(() => states.slice(before).includes('reconnecting'), 'drop noticed');
    await hub.ctx.bus.publish('payments.v1', [{ key: 'u9', event: payment('u9', 'refunded') }]);
    await waitFor(
      () => states.slice(before).includes('reconnecting') && states.at(-1) === 'open',
      'reconnected',
    );
    await hub.ctx.bus.publish('payments.v1', [{ key: 'u9', event: payment('u9', 'again') }]);
    await waitFor(() => received.length === 4, 'missed + new event');
    expect(
      received.filter((e) => e.channel === 'user:u9').map((e) => (e.event.data as { status: string }).status),
    ).toEqual(['succeeded', 'refunded', 'again']);
    expect(recoveries).toContainEqual({ channel: 'user:u9', recovered: true });
    client.close();
    expect(client.connectionState).toBe('closed');
  });
});

describe('ws recovery window', () => {
  let hub: Hub;
  let url: string;
  beforeAll(async () => {
    // The replay must fit in the send buffer (test/stream-abuse.test.ts shows one that does not).
    ({ hub, url } = await startHub({
      CITYSTREAM_WS_HISTORY_SIZE: '3',
      CITYSTREAM_WS_SEND_BUFFER_BYTES: '4096',
    }));
  });
  afterAll(() => hub?.stop());

  it('resumes from a pos or cursor inside the window, and says recovered:false outside it', async () => {
    const first = await RawClient.connect(url);
    first.send({ type: 'subscribe', id: 1, channels: ['air:station:W-1'] });
    await waitFor(() => first.of('subscribed').length === 1, 'ack');
    const cursor = first.of('subscribed')[0]!.cursors['air:station:W-1']!;
    const publish = (n: number) =>
      hub.ctx.bus.publish('air.readings.v1', [{ key: 'W-1', event: reading('W-1', 'foshan', n) }]);
    await publish(1);
    await waitFor(() => first.of('event').length === 1, 'event 1');
    const pos = first.of('event')[0]!.pos; // the contract form (docs/architecture.md): a bare partition:offset
    first.close();
    for (let n = 2; n <= 4; n++) await publish(n);

    const again = await RawClient.connect(url);
    again.send({
      type: 'subscribe',
      id: 2,
      channels: ['air:station:W-1'],
      since: { 'air:station:W-1': pos },
    });
    await waitFor(() => again.of('event').length === 3, 'three missed events');
    expect(again.of('subscribed')[0]).toMatchObject({ id: 2, recovered: true, unrecovered: [] });
    expect(again.of('event').map((e) => (e.event.data as { pm25: number }).pm25)).toEqual([2, 3, 4]);
    // The cursor in the ack already covers the replayed events that follow it.
    const [p] = pos.split(':');
    expect(again.of('subscribed')[0]!.cursors['air:station:W-1']).toBe(`air.readings.v1/${p}:3`);

    // From before event 1: four events missed, three kept.
    const late = await RawClient.connect(url);
    late.send({
      type: 'subscribe',
      id: 3,
      channels: ['air:station:W-1'],
      since: { 'air:station:W-1': cursor },
    });
    await waitFor(() => late.of('subscribed').length === 1, 'ack');
    expect(late.of('subscribed')[0]).toMatchObject({ recovered: false, unrecovered: ['air:station:W-1'] });
    await publish(5);
    await waitFor(() => late.of('event').length === 1, 'live event');
    expect((late.of('event')[0]!.event.data as { pm25: number }).pm25).toBe(5);
    for (const c of [again, late]) c.close();
  });
});

describe('ws compression and shutdown', () => {
  it('negotiates permessage-deflate only when enabled, and says goodbye with 1001 on stop', async () => {
    const plain = await startHub();
    const deflating = await startHub({ CITYSTREAM_WS_COMPRESSION: 'on' });
    try {
      const offered = { perMessageDeflate: true } as const;
      const a = new RawClient(new WebSocket(plain.url, offered));
      const b = new RawClient(new WebSocket(deflating.url, offered));
      await Promise.all([a.opened, b.opened]);
      expect(a.ws.extensions).toBe('');
      expect(b.ws.extensions).toMatch(/^permessage-deflate/);
      b.send({ type: 'subscribe', channels: ['air:city:shenzhen'] });
      await waitFor(() => b.of('subscribed').length === 1, 'ack');
      await deflating.hub.ctx.bus.publish('air.readings.v1', [
        { key: 'SZ-9', event: reading('SZ-9', 'shenzhen', 7) },
      ]);
      await waitFor(() => b.of('event').length === 1, 'compressed event');

      await plain.hub.stop();
      await waitFor(() => a.closed, 'close on shutdown');
      expect(a.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    } finally {
      await plain.hub.stop();
      await deflating.hub.stop();
    }
  });
});
