// WebSocket output is bounded: every frame the gateway sends counts against the send buffer,
// so a client that floods frames and never reads is closed with 4008 instead of making the
// gateway queue replies for it without end; a replay that would not fit is answered with
// recovered:false; and the hub's memory comes back after abusive clients leave.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { Hub } from '../app/hub.ts';
import { RawClient, reading, startGatewayHub } from './support/stream.ts';
import { startHub, type HubProcess } from './support/hub-process.ts';
import { waitFor } from './support/wait.ts';

const BUFFER = 64 * 1024;

async function slowConsumerCloses(registry: Hub['ctx']['metrics']['registry']): Promise<number> {
  const text = await registry.getSingleMetricAsString('citystream_ws_closed_total');
  const m = /citystream_ws_closed_total\{reason="slow_consumer"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Sends `frames` in chunks, yielding between them, until `stop()` or `max` frames. */
async function flood(ws: WebSocket, frame: () => string, max: number, stop: () => Promise<boolean>) {
  let sent = 0;
  while (sent < max) {
    for (let i = 0; i < 2_000; i++) ws.send(frame());
    sent += 2_000;
    // Let the client's socket drain into the kernel so the gateway receives what was sent.
    await new Promise((r) => setTimeout(r, 10));
    if (await stop()) break;
  }
  return sent;
}

describe('ws output bounded (in-process gateway)', () => {
  let hub: Hub;
  let url: string;
  beforeAll(async () => {
    hub = await startGatewayHub({
      CITYSTREAM_WS_SEND_BUFFER_BYTES: String(BUFFER),
      CITYSTREAM_WS_HISTORY_SIZE: '1000',
    });
    url = `ws://127.0.0.1:${hub.port}/ws`;
  });
  afterAll(() => hub?.stop());

  it('closes a client that floods thousands of bad frames and never reads with 4008', async () => {
    const c = await RawClient.connect(url);
    await waitFor(() => c.of('hello').length === 1, 'hello');
    c.ws.pause(); // never reads from here on
    const before = await slowConsumerCloses(hub.ctx.metrics.registry);
    let n = 0;
    const bad = ['not json', '{"type":"dance","id":1}', '{"id":2}', '[]'];
    const sent = await flood(
      c.ws,
      () => bad[n++ % bad.length]!,
      300_000,
      async () => (await slowConsumerCloses(hub.ctx.metrics.registry)) > before,
    );
    // The gateway reads one frame per socket per event-loop turn: give it time to get through.
    await waitFor(
      async () => (await slowConsumerCloses(hub.ctx.metrics.registry)) > before,
      `a 4008 close after ${sent} bad frames`,
      30_000,
    );

    // Reading again, the client finds the replies the gateway did send, then the close frame.
    c.ws.resume();
    await waitFor(() => c.closed, 'close frame', 20_000);
    expect(c.closed).toEqual({
      code: 4008,
      reason: `slow consumer: send buffer over ${BUFFER} bytes of unread replies`,
    });
    expect(c.of('error').length).toBeGreaterThan(0);
    expect(c.of('error').length).toBeLessThan(sent);
  }, 60_000);

  it('answers recovered:false instead of queueing a replay larger than the send buffer', async () => {
    const channel = 'air:station:BIG-1';
    const first = await RawClient.connect(url);
    first.send({ type: 'subscribe', id: 1, channels: [channel] });
    await waitFor(() => first.of('subscribed').length === 1, 'ack');
    const cursor = first.of('subscribed')[0]!.cursors[channel]!;
    // 400 events of about 450 bytes after `cursor`: nearly three times the send buffer.
    for (let batch = 0; batch < 4; batch++) {
      await hub.ctx.bus.publish(
        'air.readings.v1',
        Array.from({ length: 100 }, (_, i) => ({
          key: 'BIG-1',
          event: reading('BIG-1', 'foshan', batch * 100 + i),
        })),
      );
    }
    await waitFor(() => first.of('event').length === 400, '400 events live');
    const bytes = first.of('event').reduce((n, e) => n + JSON.stringify(e).length, 0);
    expect(bytes).toBeGreaterThan(2 * BUFFER);
    const near = first.of('event')[397]!.pos;
    const last = first.of('event')[399]!.pos;
    first.close();

    const resumed = await RawClient.connect(url);
    resumed.send({ type: 'subscribe', id: 2, channels: [channel], since: { [channel]: cursor } });
    await waitFor(() => resumed.of('subscribed').length === 1, 'ack');
    expect(resumed.of('subscribed')[0]).toMatchObject({ recovered: false, unrecovered: [channel] });
    // The cursor in the ack is the live position: what follows is live, nothing replayed.
    expect(resumed.of('subscribed')[0]!.cursors[channel]).toBe(`air.readings.v1/${last}`);
    await hub.ctx.bus.publish('air.readings.v1', [{ key: 'BIG-1', event: reading('BIG-1', 'foshan', 99) }]);
    await waitFor(() => resumed.of('event').length === 1, 'live event');
    expect((resumed.of('event')[0]!.event.data as { pm25: number }).pm25).toBe(99);
    expect(resumed.closed).toBeNull();

    // A gap that fits is still replayed exactly.
    const small = await RawClient.connect(url);
    small.send({ type: 'subscribe', id: 3, channels: [channel], since: { [channel]: near } });
    await waitFor(() => small.of('event').length === 3, 'two missed events and the live one');
    expect(small.of('subscribed')[0]).toMatchObject({ recovered: true });
    expect(small.of('event').map((e) => (e.event.data as { pm25: number }).pm25)).toEqual([398, 399, 99]);
    const metrics = await hub.ctx.metrics.registry.getSingleMetricAsString('citystream_ws_replays_cut_total');
    expect(metrics).toMatch(/citystream_ws_replays_cut_total 1$/m);
    for (const c of [resumed, small]) c.close();
  }, 30_000);
});

// The gateway in its own process, so its RSS is the hub's alone. RSS shows the peak; once the
// clients are gone, the heap after a full collection shows what is still held (RSS itself comes
// down only when V8 and malloc choose to return pages, seconds to minutes later).
const ABUSERS = 20;
const PEAK_BOUND_MIB = 96;
const AFTER_BOUND_MIB = 8;
const GC_ON_SIGNAL = pathToFileURL(join(import.meta.dirname, 'support/gc-on-signal.mjs')).href;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

async function metric(hub: HubProcess, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Heap used plus external memory (Buffers) of the hub right after a full collection. */
async function heldMiB(hub: HubProcess): Promise<number> {
  hub.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  const heap = await metric(hub, /citystream_nodejs_heap_size_used_bytes (\d+)/);
  const external = await metric(hub, /citystream_nodejs_external_memory_bytes (\d+)/);
  return (heap + external) / 2 ** 20;
}

/** Channel names the gateway refuses one by one: one frame, two hundred error replies. */
const MANY_UNKNOWN = JSON.stringify({
  type: 'subscribe',
  channels: Array.from({ length: 200 }, (_, i) => `nope:${String(i).padStart(6, '0')}`),
});

async function abuse(hub: HubProcess, count: number, onSample: () => void): Promise<WebSocket[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const c = await RawClient.connect(`ws://127.0.0.1:${hub.port}/ws`);
      await waitFor(() => c.of('hello').length === 1, 'hello');
      c.ws.pause();
      return c.ws;
    }),
  );
  const closesBefore = await metric(hub, /citystream_ws_closed_total\{reason="slow_consumer"\} (\d+)/);
  const done = () =>
    metric(hub, /citystream_ws_closed_total\{reason="slow_consumer"\} (\d+)/).then(
      (n) => n - closesBefore >= count,
    );
  const sampler = setInterval(onSample, 50);
  try {
    // Each abuser: a burst of frames that each draw two hundred refusals, then a stream of junk.
    // Bounded in time either way: a gateway that never closes them fails on memory, not timeout.
    // Alone this takes ~5 s; with other suites loading both cores (load average 15 seen) the
    // gateway needs longer to write enough refusals to fill loopback's socket buffers.
    const deadline = Date.now() + 60_000;
    for (const ws of sockets) for (let i = 0; i < 50; i++) ws.send(MANY_UNKNOWN);
    for (let round = 0; round < 120 && Date.now() < deadline && !(await done()); round++) {
      for (const ws of sockets) for (let i = 0; i < 1_000; i++) ws.send('{"type":"dance"}');
      await new Promise((r) => setTimeout(r, 50));
    }
    const left = deadline - Date.now();
    if (left > 0) await waitFor(done, 'every abuser closed by the gateway', left).catch(() => false);
  } finally {
    clearInterval(sampler);
  }
  return sockets;
}

describe('ws output bounded (gateway process)', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHub({
      CITYSTREAM_ROLES: 'stream',
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_LOG_LEVEL: 'info',
      CITYSTREAM_JWT_SECRET: 'stream-abuse-test-secret-0123456789abcdef',
      CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'citystream-ws-abuse-')),
      NODE_OPTIONS: `--import=${GC_ON_SIGNAL}`,
    });
  }, 90_000);
  afterAll(() => hub?.stop());

  it(`flooders that never read keep RSS within ${PEAK_BOUND_MIB} MiB of baseline, and the heap returns within ${AFTER_BOUND_MIB} MiB of baseline after they leave`, async () => {
    const pid = hub.child.pid!;
    const leave = async (sockets: WebSocket[]) => {
      for (const ws of sockets) ws.terminate();
      await waitFor(
        async () => (await metric(hub, /citystream_ws_connections (\d+)/)) === 0,
        'connections gone',
      );
    };
    // Warm-up: the same abuse on a few connections, so code and pools are in place.
    await leave(await abuse(hub, 2, () => {}));
    await new Promise((r) => setTimeout(r, 2_000));
    const baseline = rssMiB(pid);
    const heldBefore = await heldMiB(hub);

    let peak = baseline;
    const sockets = await abuse(hub, ABUSERS, () => {
      peak = Math.max(peak, rssMiB(pid));
    });
    const closed = await metric(hub, /citystream_ws_closed_total\{reason="slow_consumer"\} (\d+)/);
    await leave(sockets);
    // Closed connections are dropped 5 s after their close frame if the peer never answers.
    await new Promise((r) => setTimeout(r, 6_000));
    const heldAfter = await heldMiB(hub);

    const summary =
      `RSS baseline ${baseline.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB; ` +
      `heap+external ${heldBefore.toFixed(1)} MiB before, ${heldAfter.toFixed(1)} MiB after; ` +
      `slow-consumer closes ${closed}`;
    console.info(summary);
    expect(closed, summary).toBeGreaterThanOrEqual(2 + ABUSERS);
    expect(peak - baseline, summary).toBeLessThan(PEAK_BOUND_MIB);
    expect(heldAfter - heldBefore, summary).toBeLessThan(AFTER_BOUND_MIB);
  }, 200_000);
});
