// InfluxDB goes down for more than 20 s while integrators keep pushing. Kafka keeps accepting,
// the sink keeps its offsets until InfluxDB is back, and afterwards every accepted reading is
// stored exactly once. The InfluxDB it stops is one of its own (same build, own port and data),
// so the suites running beside it keep theirs.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config/index.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import { InfluxTimeSeries } from '../core/timeseries/influx.ts';
import { createStation } from '../core/domain/stations.ts';
import { startPrivateInfluxd, type PrivateInfluxd } from './support/control.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
// The shared server answering means scripts/services built InfluxDB, whose binary this test runs.
const influx = await serviceAvailable('influxdb');

describe.runIf(kafka && influx)('air ingest while InfluxDB is down (real Kafka and InfluxDB)', () => {
  const prefix = testTopicPrefix('airfault');
  const stations = ['SZ', 'GZ', 'FS'].map((c) => `${c}-F${randomUUID().slice(0, 5)}`);
  let hub: Hub | undefined;
  let store: InfluxTimeSeries | undefined;
  let influxd: PrivateInfluxd | undefined;

  beforeAll(async () => {
    influxd = await startPrivateInfluxd();
    const config = loadConfig({
      ...process.env,
      KAFKA_TOPIC_PREFIX: prefix,
      INFLUX_URL: influxd.config.url,
      INFLUX_TOKEN: influxd.config.token,
      INFLUX_ORG: influxd.config.org,
      INFLUX_BUCKET: influxd.config.bucket,
      DATABASE_URL: '', // PGlite in memory is enough for the station registry here
      CITYSTREAM_DATA_DIR: join(tmpdir(), `citystream-airfault-${randomUUID()}`),
      MQTT_URL: '',
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_HTTP_PORT: '0',
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_ROLES: 'ingest',
      CITYSTREAM_API_KEYS: 'fault:fault-key',
    });
    hub = await Hub.start(config, { logger: silentLogger() });
    const db = await hub.ctx.db();
    const cities = { SZ: 'shenzhen', GZ: 'guangzhou', FS: 'foshan' } as const;
    for (const id of stations) {
      await createStation(db, { id, name: id, city: cities[id.slice(0, 2) as 'SZ'], lat: 23, lon: 113 });
    }
    store = new InfluxTimeSeries(config.influx!);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await hub?.stop();
    await influxd?.destroy();
    await deleteTestTopics([kafka!.value!], prefix);
  }, 120_000);

  it('stores every accepted reading exactly once after a 20 s outage', async () => {
    const url = `http://127.0.0.1:${hub!.port}/v1/ingest/air`;
    const start = Date.now() - 120_000;
    const accepted = new Map<string, number[]>(stations.map((s) => [s, []]));
    let seq = 0;
    let refused = 0;
    let pushing = true;
    const pusher = (async () => {
      while (pushing) {
        const batch = stations.map((stationId) => ({
          stationId,
          time: new Date(start + seq * 10).toISOString(),
          pm25: seq % 500,
        }));
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'fault-key' },
          body: JSON.stringify(batch),
        });
        if (res.status === 202) for (const b of batch) accepted.get(b.stationId)!.push(start + seq * 10);
        else refused++;
        seq++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const count = () => [...accepted.values()].reduce((n, a) => n + a.length, 0);
    let downFor: number;
    let acceptedWhileDown: number;
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      await influxd!.stop();
      const downAt = Date.now();
      const before = count();
      await new Promise((r) => setTimeout(r, 21_000));
      downFor = Date.now() - downAt;
      acceptedWhileDown = count() - before;
    } finally {
      await influxd!.start();
    }
    await new Promise((r) => setTimeout(r, 2_000));
    pushing = false;
    await pusher;

    expect(downFor).toBeGreaterThanOrEqual(20_000);
    expect(refused).toBe(0);
    expect(acceptedWhileDown).toBeGreaterThan(300); // integrators kept pushing through the outage

    const stored = async (id: string) =>
      (
        await store!.range({
          measurement: 'air',
          tags: { stationId: id },
          from: new Date(start - 1),
          to: new Date(start + seq * 10 + 1),
        })
      ).map((r) => r.time.getTime());
    // Throwing (rather than returning false) makes a timeout say how far the sink got.
    await waitFor(
      async () => {
        const short: string[] = [];
        for (const id of stations) {
          const n = (await stored(id)).length;
          if (n < accepted.get(id)!.length) short.push(`${id} ${n}/${accepted.get(id)!.length}`);
        }
        if (short.length > 0) throw new Error(`stored so far: ${short.join(', ')}`);
        return true;
      },
      'every accepted reading in InfluxDB',
      120_000,
      500,
    );
    for (const id of stations) expect(await stored(id)).toEqual(accepted.get(id));
  }, 240_000);
});
