// Gateway workers (CITYSTREAM_STREAM_WORKERS=2, node:cluster) on real Kafka: connections are shared
// among the workers; when one worker is SIGKILLed its clients reconnect to the port, land on a
// worker that is still up (or on its replacement) and recover exactly what they missed; the
// supervisor replaces the dead worker; SIGTERM stops the supervisor and every worker.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { KafkaBus } from '../core/bus/kafka.ts';
import { StreamClient, type LiveEvent } from '../stream/client/index.ts';
import { reading } from './support/stream.ts';
import { startHub, type HubProcess } from './support/hub-process.ts';
import { freePort } from './support/ports.ts';
import { workerPids } from './support/stream-workers.ts';
import { deleteTestTopics, quietKafkaBus, testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

if (kafka) {
  describe('gateway workers sharing one port (real Kafka)', () => {
    const prefix = testTopicPrefix('workers');
    let hub: HubProcess | null = null;
    let bus: KafkaBus | null = null;
    const clients: StreamClient[] = [];
    afterAll(async () => {
      for (const c of clients) c.close();
      for (const pid of hub ? workerPids(hub) : []) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await hub?.stop('SIGKILL');
      await bus?.close();
      await deleteTestTopics([kafka.value!], prefix);
    });

    it('share the connections, survive a killed worker with exact recovery, and stop together', async () => {
      bus = quietKafkaBus([kafka.value!], 'stream-workers-test', prefix);
      await bus.start();
      const port = await freePort();
      hub = await startHub({
        KAFKA_BROKERS: kafka.value!,
        KAFKA_TOPIC_PREFIX: prefix,
        CITYSTREAM_ROLES: 'stream',
        CITYSTREAM_STREAM_WORKERS: '2',
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_HTTP_HOST: '127.0.0.1',
        CITYSTREAM_HTTP_PORT: String(port),
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'citystream-workers-')),
      });
      const h = hub;
      await waitFor(() => workerPids(h).length === 2, 'both workers up', 60_000);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 'ready', 30_000, 100);
      const [first, second] = workerPids(h);
      expect(first).not.toBe(second);

      const channel = 'air:city:foshan';
      const got: LiveEvent[][] = [];
      const reconnected = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const c = new StreamClient({
          url: `ws://127.0.0.1:${port}/ws`,
          WebSocket,
          reconnect: { baseMs: 100, maxMs: 400 },
        });
        got.push([]);
        c.subscribe(channel, (e) => got[i]!.push(e));
        c.onRecovery((r) => {
          if (r.recovered) reconnected.add(i);
          else throw new Error(`client ${i} could not recover ${r.channel}`);
        });
        clients.push(c);
      }
      await waitFor(() => clients.every((c) => c.cursor(channel)), 'all subscribed');

      const published: string[] = [];
      let publishing = true;
      const publisher = (async () => {
        for (let n = 0; publishing; n++) {
          const station = `FS-W${n % 4}`;
          const event = reading(station, 'foshan', n);
          await bus.publish('air.readings.v1', [{ key: station, event }]);
          published.push(event.id);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await waitFor(() => got.every((g) => g.length >= 10), 'events on every client', 20_000);
      process.kill(first!, 'SIGKILL');
      const atKill = published.length;
      await waitFor(() => published.length >= atKill + 30, 'events published around the kill', 20_000);
      await waitFor(() => workerPids(h).length === 3, 'the supervisor replaced the dead worker', 30_000);
      await waitFor(() => published.length >= atKill + 60, 'events after the replacement', 20_000);
      publishing = false;
      await publisher;

      for (const [i, events] of got.entries()) {
        await waitFor(
          () => events.length >= published.length,
          `client ${i}: all ${published.length} events`,
          20_000,
        );
      }
      await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
      for (const events of got) {
        const ids = events.map((e) => e.event.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...published].sort());
      }
      // Round-robin put clients on both workers: those on the killed one reconnected, the others did not.
      expect(reconnected.size).toBeGreaterThan(0);
      expect(reconnected.size).toBeLessThan(clients.length);
      expect(alive(second!)).toBe(true);

      const pids = workerPids(h).filter(alive);
      expect(await h.stop('SIGTERM')).toBe(0);
      await waitFor(() => pids.every((p) => !alive(p)), 'every worker gone', 15_000);
    }, 120_000);
  });
} else {
  describe.skip('gateway workers (KAFKA_BROKERS not reachable; run scripts/services up)', () => {});
}
