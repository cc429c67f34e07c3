// The SDK's transport fallback against a real hub: WebSocket upgrades refused → it streams over
// SSE; an SSE stream that stays silent → long-poll; once WebSockets work again it moves back up.
// Events published all along, across every switch, reach the application exactly once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Hub } from '../app/hub.ts';
import { StreamClient, type LiveEvent, type TransportKind } from '../stream/client/index.ts';
import { reading, startGatewayHub } from './support/stream.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { waitFor } from './support/wait.ts';

const STATION = 'SZ-FALLBACK-1';
const CHANNEL = `air:station:${STATION}`;

describe('SDK transport fallback', () => {
  let hub: Hub;
  let base: string;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    hub = await startGatewayHub({ CITYSTREAM_WS_HEARTBEAT_MS: '300' });
    base = `http://127.0.0.1:${hub.port}`;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await hub?.stop();
  });

  /** Publishes one reading every 15 ms until stopped; resolves to the ids, in order. */
  const publishing = () => {
    const ids: string[] = [];
    let n = 0;
    let stop = false;
    const done = (async () => {
      while (!stop) {
        const e = reading(STATION, 'shenzhen', n++);
        await hub.ctx.bus.publish('air.readings.v1', [{ key: STATION, event: e }]);
        ids.push(e.id);
        await new Promise((r) => setTimeout(r, 15));
      }
      return ids;
    })();
    return () => {
      stop = true;
      return done;
    };
  };

  const start = (options: Partial<ConstructorParameters<typeof StreamClient>[0]>) => {
    const client = new StreamClient({
      url: `ws://127.0.0.1:${hub.port}/ws`,
      WebSocket: WebSocket,
      connectTimeoutMs: 1_000,
      reconnect: { baseMs: 50, maxMs: 200 },
      ...options,
    });
    clients.push(client);
    const got: LiveEvent[] = [];
    const transports: TransportKind[] = [];
    client.onTransport((t) => t && transports.push(t));
    client.subscribe(CHANNEL, (e) => got.push(e));
    return { client, got, transports };
  };

  it('falls back to SSE when upgrades are refused, and moves back up to WebSocket without gap or duplicate', async () => {
    let blocked = true;
    // A proxy that refuses WebSocket upgrades: the gateway answers 404 to this path.
    class GatedWebSocket extends WebSocket {
      constructor(url: string) {
        super(blocked ? url.replace(/\/ws$/, '/blocked') : url);
      }
    }
    const { client, got, transports } = start({ WebSocket: GatedWebSocket, upgradeAfterMs: 600 });
    await waitFor(() => client.transport === 'sse', 'SSE after the refused upgrade');
    expect(client.connectionState).toBe('open');
    await waitFor(() => client.cursor(CHANNEL), 'the subscription');

    const stop = publishing();
    await waitFor(() => got.length >= 10, 'events over SSE');
    blocked = false;
    await waitFor(() => client.transport === 'websocket', 'WebSocket again', 15_000);
    const switchedAt = got.length;
    await waitFor(() => got.length >= switchedAt + 10, 'events over WebSocket');
    const published = await stop();
    await waitFor(() => got.length >= published.length, 'every event', 10_000);
    expect(got.map((e) => e.event.id)).toEqual(published);
    expect(transports.slice(0, 2)).toEqual(['sse', 'websocket']);
  });

  it('falls back to long-poll when SSE stays silent, and keeps the exact sequence', async () => {
    let silent = true;
    // A proxy that buffers streams: SSE responses start but nothing ever comes through.
    const buffering: typeof fetch = async (input, init) => {
      if (silent && (input instanceof Request ? input.url : input.toString()).includes('/sse?')) {
        return new Response(new ReadableStream({ start: () => undefined }), {
          headers: { 'content-type': 'text/event-stream' },
        });
      }
      return fetch(input, init);
    };
    const { client, got } = start({
      transports: ['sse', 'poll'],
      httpUrl: base,
      fetch: buffering,
      pollWaitSeconds: 2,
      upgradeAfterMs: 60_000,
    });
    await waitFor(() => client.transport === 'poll', 'long-poll after a silent SSE stream');
    await waitFor(() => client.cursor(CHANNEL), 'the subscription');
    const stop = publishing();
    await new Promise((r) => setTimeout(r, 800));
    const published = await stop();
    await waitFor(() => got.length >= published.length, 'every event over long-poll', 10_000);
    expect(got.map((e) => e.event.id)).toEqual(published);
    silent = false;
  });

  it('treats a link that goes silent as dead within the bound, and resumes without loss', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: hub.port });
    try {
      const { client, got } = start({ url: `ws://127.0.0.1:${proxy.port}/ws`, transports: ['websocket'] });
      await waitFor(() => client.connectionState === 'open' && client.cursor(CHANNEL), 'open');
      const stop = publishing();
      await waitFor(() => got.length >= 5, 'events');
      // The network stops carrying anything; no socket closes.
      const stalledAt = Date.now();
      proxy.stall();
      await waitFor(() => client.connectionState !== 'open', 'the client to give the link up', 5_000);
      // Bound: 2 × the 300 ms heartbeat + 1 s, plus one heartbeat interval of phase.
      expect(Date.now() - stalledAt).toBeLessThan(2 * 300 + 1_000 + 300 + 250);
      await new Promise((r) => setTimeout(r, 500));
      proxy.restore();
      await waitFor(() => client.connectionState === 'open', 'open again', 10_000);
      const published = await stop();
      await waitFor(() => got.length >= published.length, 'every event', 10_000);
      expect(got.map((e) => e.event.id)).toEqual(published);
    } finally {
      await proxy.close();
    }
  });
});
