// Scale-out on a real Kafka broker: two ingest workers (real `citystream start` processes)
// share the cameras by consumer-group ownership of camera.registry.v1 partitions. Every camera
// runs on exactly one worker; when one worker is killed, its cameras run on the other within the
// rebalance time (Kafka session timeout, 10 s, plus the rejoin).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../core/bus/kafkajs.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../core/events/catalog.ts';
import { jpegSource } from './support/camera-sources.ts';
import { startHub, type HubProcess } from './support/hub-process.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { createTestDatabase } from './support/postgres.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const postgres = await serviceAvailable('postgres');

/** One camera id per registry partition, chosen with Kafka's own partitioner. */
function oneCameraPerPartition(): string[] {
  const partitions = TOPICS.cameraRegistry.partitions;
  const metadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({
    partitionId: i,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const partitioner = Partitioners.DefaultPartitioner();
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const id = `K-CAM-${i}`;
    const p = partitioner({ topic: 'x', partitionMetadata: metadata, message: { key: id, value: null } });
    if (!byPartition.has(p)) byPartition.set(p, id);
  }
  return [...byPartition.values()].sort();
}

/** Cameras reported online on a worker's /metrics. */
async function onlineOn(hub: HubProcess): Promise<string[]> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  return [...text.matchAll(/^citystream_camera_online\{camera="([^"]+)"\} 1$/gm)].map((m) => m[1]!).sort();
}

/** ffmpeg pipelines polling the test source, whoever their parent is (orphans included). */
function pipelinesFor(url: string): number {
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('image2pipe') && cmd.includes(url)) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

if (kafka && postgres) {
  describe('camera ingest workers on Kafka', () => {
    const prefix = testTopicPrefix('cameras');
    const dir = mkdtempSync(join(tmpdir(), 'cameras-kafka-'));
    const hubs: HubProcess[] = [];
    let source: Awaited<ReturnType<typeof jpegSource>>;
    const ids = oneCameraPerPartition();

    const databases: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
    afterAll(async () => {
      await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
      await source?.stop();
      await deleteTestTopics([kafka.value!], prefix);
      await Promise.all(databases.map((d) => d.drop()));
    });

    it('runs every camera on exactly one worker and moves a dead worker’s cameras', async () => {
      source = await jpegSource(join(dir, 'src'));
      const file = join(dir, 'cameras.json');
      writeFileSync(
        file,
        JSON.stringify(
          ids.map((id) => ({
            id,
            name: id,
            city: 'guangzhou',
            lat: 23.13,
            lon: 113.26,
            url: source.url,
            snapshotIntervalSeconds: 1,
            maxWidth: 160,
          })),
        ),
      );
      // A PostgreSQL database per worker (the ingest role's stores), instead of PGlite start-ups.
      databases.push(await createTestDatabase(postgres.value!), await createTestDatabase(postgres.value!));
      const env = (n: number) => ({
        DATABASE_URL: databases[n - 1]!.url,
        KAFKA_BROKERS: kafka.value!,
        KAFKA_TOPIC_PREFIX: prefix,
        CITYSTREAM_ROLES: 'ingest',
        CITYSTREAM_INSTANCE_ID: `worker-${n}`,
        CITYSTREAM_DATA_DIR: join(dir, `data-${n}`),
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_CAMERAS_FILE: file,
      });
      // Started together: each start-up opens its embedded stores, which takes a while.
      hubs.push(...(await Promise.all([startHub(env(1)), startHub(env(2))])));
      const [w1, w2] = hubs as [HubProcess, HubProcess];

      // Both own some cameras, none twice, all running.
      await waitFor(
        async () => {
          const [a, b] = [await onlineOn(w1), await onlineOn(w2)];
          return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === ids.join();
        },
        'cameras shared by both workers, each camera online once',
        40_000,
        250,
      );
      const [a, b] = [await onlineOn(w1), await onlineOn(w2)];
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect(pipelinesFor(source.url)).toBe(ids.length);

      // Kill worker 1 outright: no goodbye to the group, Kafka notices by the session timeout.
      const killedAt = Date.now();
      await w1.stop('SIGKILL');
      await waitFor(
        async () => (await onlineOn(w2)).join() === ids.join(),
        'all cameras online on the surviving worker',
        30_000,
        250,
      );
      const movedInMs = Date.now() - killedAt;
      expect(movedInMs).toBeLessThan(25_000);
      // The dead worker's ffmpeg children did not outlive it (no duplicates, no orphans).
      await waitFor(() => pipelinesFor(source.url) === ids.length, 'one pipeline per camera', 10_000);

      // A graceful stop leaves no ffmpeg behind.
      expect(await w2.stop('SIGTERM')).toBe(0);
      expect(pipelinesFor(source.url)).toBe(0);
      console.log(`cameras moved to the surviving worker ${movedInMs} ms after the kill`);
    }, 90_000);
  });
} else {
  describe.skip('camera ingest workers on Kafka (Kafka or PostgreSQL not reachable; run scripts/services up)', () => {});
}
