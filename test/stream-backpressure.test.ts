// Slow consumers over real sockets: a client that stops reading does not delay the others
// (their publish→receive p99 stays within 2× of the run without it), is conflated to the
// newest event per camera on latest-wins channels, and is closed with 4008 on the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVENT_TYPES } from '../core/events/catalog.ts';
import { makeEvent, type CloudEvent } from '../core/events/envelope.ts';
import type { IncidentReported } from '../core/events/services.ts';
import type { Hub } from '../app/hub.ts';
import { RawClient, snapshot, startGatewayHub } from './support/stream.ts';
import { waitFor } from './support/wait.ts';

const PAD = 32_000;

function incident(n: number): CloudEvent<IncidentReported> {
  return makeEvent({
    type: EVENT_TYPES.incidentReported,
    source: 'test',
    data: {
      incidentId: `I-${n}`,
      city: 'shenzhen',
      category: 'road',
      lat: 22.5,
      lon: 114,
      description: `n=${n} ${'x'.repeat(PAD)}`,
      status: 'submitted',
      reportedAt: new Date().toISOString(),
      hasPhoto: false,
    },
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

describe('slow consumers', () => {
  let hub: Hub;
  let url: string;
  beforeAll(async () => {
    hub = await startGatewayHub({ CITYSTREAM_WS_SEND_BUFFER_BYTES: String(256 * 1024) });
    url = `ws://127.0.0.1:${hub.port}/ws`;
  });
  afterAll(() => hub?.stop());

  it('are conflated or closed as documented and do not delay the others', async () => {
    const channels = ['incidents:city:shenzhen', 'camera:SZ-CAM-01'];
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const fast: WebSocket[] = [];
    let acks = 0;
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(url);
      ws.on('message', (data: Buffer) => {
        // Only the envelope id is needed: read it without parsing 32 kB of JSON.
        const head = data.toString('utf8', 0, 400);
        if (head.startsWith('{"type":"subscribed"')) acks++;
        const m = /"event":\{"specversion":"1.0","id":"([^"]+)"/.exec(head);
        const t = m ? sentAt.get(m[1]!) : undefined;
        if (t !== undefined) latencies.push(performance.now() - t);
      });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', channels })));
      fast.push(ws);
    }
    await waitFor(() => acks === fast.length, 'fast clients subscribed');

    let n = 0;
    const run = async (events: number) => {
      latencies.length = 0;
      for (let i = 0; i < events; i++) {
        n++;
        const e = n % 2 ? incident(n) : snapshot('SZ-CAM-01', 'shenzhen', n, PAD);
        const topic = n % 2 ? 'incidents.v1' : 'camera.snapshots.v1';
        sentAt.set(e.id, performance.now());
        await hub.ctx.bus.publish(topic, [{ key: n % 2 ? `I-${n}` : 'SZ-CAM-01', event: e }]);
        await new Promise((r) => setTimeout(r, 2));
      }
      await waitFor(() => latencies.length === events * fast.length, 'every fast client got every event');
      return quantile(latencies, 0.99);
    };

    await run(50); // warm-up
    const before = await run(400);

    // Two clients that stop reading: one on a channel that must not lose events, one on the
    // latest-wins camera channel only.
    const strict = await RawClient.connect(url);
    const latest = await RawClient.connect(url);
    strict.send({ type: 'subscribe', channels: ['incidents:city:shenzhen'] });
    latest.send({ type: 'subscribe', channels: ['camera:SZ-CAM-01'] });
    await waitFor(
      () => strict.of('subscribed').length === 1 && latest.of('subscribed').length === 1,
      'slow acks',
    );
    strict.ws.pause();
    latest.ws.pause();
    const withSlow = await run(400);
    const lastSnapshot = n % 2 ? n - 1 : n;

    strict.ws.resume();
    latest.ws.resume();
    await waitFor(() => strict.closed, 'strict slow client closed');
    expect(strict.closed!.code).toBe(4008);
    expect(strict.closed!.reason).toBe(
      'slow consumer: send buffer over 262144 bytes on incidents:city:shenzhen',
    );

    // The latest-wins client ends on the newest snapshot having skipped some, and stays open.
    await waitFor(
      () =>
        latest.of('event').at(-1)?.event.data &&
        (latest.of('event').at(-1)!.event.data as { sequence: number }).sequence === lastSnapshot,
      'newest snapshot reached the slow client',
    );
    const sequences = latest.of('event').map((e) => (e.event.data as { sequence: number }).sequence);
    expect(sequences.length).toBeLessThan(200);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(latest.closed).toBeNull();
    const metrics = await hub.ctx.metrics.registry.getSingleMetricAsString(
      'citystream_ws_events_conflated_total',
    );
    expect(metrics).toMatch(/citystream_ws_events_conflated_total [1-9]/);

    // The control: the same run again without the slow clients, so a noisy neighbour on the
    // machine during one phase is not mistaken for the slow clients' doing.
    latest.close();
    await waitFor(() => latest.closed, 'latest-wins client closed');
    const after = await run(400);
    const baseline = Math.max(before, after);
    expect(
      withSlow,
      `p99 ${withSlow.toFixed(1)} ms with slow clients vs ${before.toFixed(1)} / ${after.toFixed(1)} ms without (before / after)`,
    ).toBeLessThanOrEqual(2 * baseline);

    for (const c of fast) c.close();
  }, 60_000);
});
