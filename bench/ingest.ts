// Air ingest benchmark: integrators push readings over HTTP (`POST /v1/ingest/air`, JSON arrays)
// into the full real pipeline — normalisation, Kafka air.readings.v1, the sink consumer group,
// InfluxDB — and we measure sustained readings/s and ingest→stored latency (from sending the
// request to InfluxDB acknowledging the point), then check InfluxDB holds every accepted reading.
//   eval "$(scripts/services env)"; npm run bench:ingest      (needs Kafka and InfluxDB)
// Env: BENCH_AIR_SECONDS (default 20), BENCH_AIR_RATE (offered readings/s, default 20000),
// BENCH_AIR_BATCH (readings per request, default 500), BENCH_AIR_CLIENTS (default 8).
import { randomUUID } from 'node:crypto';
import { InfluxDB } from '@influxdata/influxdb-client';
import { loadConfig } from '../core/config/index.ts';
import { createLogger, silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import type { Point } from '../core/timeseries/index.ts';
import { createTestBucket } from '../test/support/timeseries.ts';
import { createStation } from '../core/domain/stations.ts';
import { deleteTestTopics } from '../test/support/kafka.ts';
import { percentile, round, writeResults } from './lib/results.ts';

const SECONDS = Number(process.env.BENCH_AIR_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_AIR_RATE ?? 20_000);
const BATCH = Number(process.env.BENCH_AIR_BATCH ?? 500);
const CLIENTS = Number(process.env.BENCH_AIR_CLIENTS ?? 8);
const STATIONS = Array.from({ length: 500 }, (_, i) => `BENCH-${String(i).padStart(4, '0')}`);

const base = loadConfig(process.env);
if (base.bus.kind !== 'kafka' || !base.influx) {
  process.stderr.write('bench:ingest needs KAFKA_BROKERS and INFLUX_URL: eval "$(scripts/services env)"\n');
  process.exit(2);
}
const brokers = base.bus.brokers;
const prefix = `test.benchair.${randomUUID().slice(0, 8)}.`;
const bucket = await createTestBucket(base.influx);
const hub = await Hub.start(
  loadConfig({
    ...process.env,
    KAFKA_TOPIC_PREFIX: prefix,
    INFLUX_BUCKET: bucket.config.bucket,
    DATABASE_URL: '',
    MQTT_URL: '',
    CITYSTREAM_DATA_DIR: `/tmp/citystream-bench-air-${randomUUID()}`,
    CITYSTREAM_HTTP_HOST: '127.0.0.1',
    CITYSTREAM_HTTP_PORT: '0',
    CITYSTREAM_DEMO: '0',
    CITYSTREAM_ROLES: 'ingest',
    CITYSTREAM_API_KEYS: 'bench:bench-key',
    CITYSTREAM_LOG_LEVEL: 'warn',
  }),
  { logger: process.env.BENCH_AIR_LOG ? createLogger(process.env.BENCH_AIR_LOG) : silentLogger() },
);

try {
  const db = await hub.ctx.db();
  for (const id of STATIONS) await createStation(db, { id, name: id, city: 'shenzhen', lat: 22.5, lon: 114 });

  // Ingest→stored: each reading's time is the wall clock when its request was sent (made unique
  // per station), and the store's acknowledgement time is taken where the sink awaits it.
  const store = await hub.ctx.timeseries();
  const write = store.write.bind(store);
  const latencies: number[] = [];
  let stored = 0;
  let lastStoredAt = 0;
  store.write = async (points: Point[]) => {
    await write(points);
    const now = Date.now();
    for (const p of points) latencies.push(now - p.time.getTime());
    stored += points.length;
    lastStoredAt = now;
  };

  const url = `http://127.0.0.1:${hub.port}/v1/ingest/air`;
  const lastTime = new Map<string, number>();
  let accepted = 0;
  let refused = 0;
  let seq = 0;
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < deadline) {
      const due = t0 + (seq * BATCH * 1000) / RATE;
      seq++;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const sentAt = Date.now();
      const batch = Array.from({ length: BATCH }, (_, i) => {
        const stationId = STATIONS[(seq * BATCH + i) % STATIONS.length]!;
        const time = Math.max(sentAt, (lastTime.get(stationId) ?? 0) + 1);
        lastTime.set(stationId, time);
        return { stationId, time, pm25: 20 + (i % 50), pm10: 40, no2: 30, o3: 70, humidity: 60 };
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
        body: JSON.stringify(batch),
      });
      const reply = await res.text();
      if (res.status === 202) accepted += BATCH;
      else {
        refused += BATCH;
        if (refused === BATCH)
          process.stderr.write(`first refused request: HTTP ${res.status} ${reply.slice(0, 500)}\n`);
      }
    }
  });
  await Promise.all(clients);
  const pushSeconds = (Date.now() - t0) / 1000;
  const drainDeadline = Date.now() + 120_000;
  while (stored < accepted && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 100));
  const storedSeconds = (lastStoredAt - t0) / 1000;

  // Independent check in InfluxDB itself: one pm25 point per accepted reading.
  const rows = await new InfluxDB({ url: bucket.config.url, token: bucket.config.token })
    .getQueryApi(bucket.config.org)
    .collectRows<{ _value: number }>(
      `from(bucket: "${bucket.config.bucket}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "air" and r._field == "pm25") |> group() |> count()`,
    );
  const inInflux = rows[0]?._value ?? 0;

  latencies.sort((a, b) => a - b);
  const result = {
    offeredPerSecond: RATE,
    batch: BATCH,
    clients: CLIENTS,
    stations: STATIONS.length,
    accepted,
    refused,
    pushPerSecond: Math.round(accepted / pushSeconds),
    storedPerSecond: Math.round(stored / storedSeconds),
    inInflux,
    lost: accepted - inInflux,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: latencies.at(-1) ?? null,
  };
  writeResults(
    'ingest',
    'npm run bench:ingest',
    result,
    [
      {
        title: `Push → Kafka → InfluxDB (${SECONDS} s, ${CLIENTS} HTTP clients, ${BATCH} readings per request)`,
        columns: [
          'offered/s',
          'accepted/s',
          'stored/s',
          'accepted',
          'in InfluxDB',
          'lost',
          'ingest→stored p50 ms',
          'p99 ms',
          'max ms',
        ],
        rows: [
          [
            RATE,
            result.pushPerSecond,
            result.storedPerSecond,
            accepted,
            inInflux,
            result.lost,
            result.p50Ms,
            result.p99Ms,
            result.maxMs ?? '-',
          ],
        ],
      },
    ],
    [
      'Load generator, hub (ingest role) and InfluxDB share the same 2-core machine; Kafka and InfluxDB are the real servers from scripts/services.',
      'Latency: from sending the HTTP request until InfluxDB acknowledged the write that carried the reading.',
    ],
  );
} finally {
  await hub.stop();
  await bucket.drop().catch(() => undefined);
  await deleteTestTopics(brokers, prefix).catch(() => undefined);
}
