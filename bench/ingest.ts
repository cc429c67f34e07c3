// Air ingest benchmark: integrators push line protocol (the InfluxDB v2 write API Telegraf uses,
// `POST /api/v2/write`) into the full real pipeline — parsing, normalisation, Kafka
// air.readings.v1, the sink's consumer group, InfluxDB — and we measure, per phase:
// sustained readings/s, ingest→stored latency (from sending the request until InfluxDB
// acknowledged the point), the hub's CPU time per stored reading, and that InfluxDB holds every
// accepted reading. The load generator runs in a child process (bench/lib/ingest-load.ts), so this
// process's CPU time is the hub's alone.
//   eval "$(scripts/services env)"; npm run bench:ingest      (needs Kafka and InfluxDB)
//   node --max-semi-space-size=64 --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/ingest.ts
//                                                             (profile the hub)
// The hub runs in this process, with the flag an ingest process runs with (docs/operations.md).
// Env: BENCH_INGEST_SECONDS (per phase, default 20), BENCH_INGEST_RATES (offered readings/s per
// phase, default "10000,40000"), BENCH_INGEST_LINES (lines per request, default 2000),
// BENCH_INGEST_CLIENTS (concurrent requests, default 4).
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InfluxDB } from '@influxdata/influxdb-client';
import { loadConfig } from '../core/config/index.ts';
import { createLogger, silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import type { Point } from '../core/timeseries/index.ts';
import { createTestBucket } from '../test/support/timeseries.ts';
import { createStation } from '../core/domain/stations.ts';
import { deleteTestTopics } from '../test/support/kafka.ts';
import type { LoadResult } from './lib/ingest-load.ts';
import { percentile, round, writeResults, warnOnTestBroker } from './lib/results.ts';

warnOnTestBroker();

const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
const RATES = (process.env.BENCH_INGEST_RATES ?? '10000,40000').split(',').map(Number);
const LINES = Number(process.env.BENCH_INGEST_LINES ?? 2000);
const CLIENTS = Number(process.env.BENCH_INGEST_CLIENTS ?? 4);
const STATIONS = Array.from({ length: 500 }, (_, i) => `BENCH-${String(i).padStart(4, '0')}`);
const WARMUP_SECONDS = 5;
const WARMUP_RATE = 5_000;
const TARGET = { perSecond: 40_000, p99Ms: 2_000, cpuUsPerReading: 25 };

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
  { logger: process.env.BENCH_INGEST_LOG ? createLogger(process.env.BENCH_INGEST_LOG) : silentLogger() },
);

/** Runs the load generator child for one phase. */
function pushLoad(rate: number, seconds = SECONDS): Promise<LoadResult> {
  const child = fork(
    fileURLToPath(new URL('./lib/ingest-load.ts', import.meta.url)),
    [
      JSON.stringify({
        url: `http://127.0.0.1:${hub.port}/api/v2/write?org=bench&bucket=bench&precision=ns`,
        key: 'bench-key',
        seconds,
        rate,
        lines: LINES,
        clients: CLIENTS,
        stations: STATIONS,
      }),
    ],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
}

interface Phase {
  offeredPerSecond: number;
  accepted: number;
  refused: number;
  pushPerSecond: number;
  storedPerSecond: number;
  stored: number;
  drainedMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number | null;
  replyP99Ms: number;
  hubCpuSeconds: number;
  cpuUsPerReading: number;
  /** The same with the idle hub's CPU over the row's duration taken out: the cost of the readings. */
  marginalCpuUsPerReading: number;
  load1: number;
}

try {
  const db = await hub.ctx.db();
  for (const id of STATIONS) await createStation(db, { id, name: id, city: 'shenzhen', lat: 22.5, lon: 114 });

  // Ingest→stored is taken where the sink awaits the store's acknowledgement.
  const store = await hub.ctx.timeseries();
  const write = store.write.bind(store);
  let latencies: number[] = [];
  let stored = 0;
  let lastStoredAt = 0;
  store.write = async (points: Point[]) => {
    await write(points);
    const now = Date.now();
    for (const p of points) latencies.push(now - p.time.getTime());
    stored += points.length;
    lastStoredAt = now;
  };

  // Unmeasured: JIT warm-up and the consumer groups' first fetches, as a running hub has had.
  let totalAccepted = (await pushLoad(WARMUP_RATE, WARMUP_SECONDS)).accepted;
  for (const until = Date.now() + 120_000; stored < totalAccepted && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 50));
  // What the hub costs doing nothing (consumer polls, heartbeats, timers), for scale.
  const idle0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 3_000));
  const idle = process.cpuUsage(idle0);
  const idleCpuPercent = round((idle.user + idle.system) / 30_000);

  const phases: Phase[] = [];
  for (const rate of RATES) {
    latencies = [];
    const storedBefore = stored;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const load = await pushLoad(rate);
    totalAccepted += load.accepted;
    const drainDeadline = Date.now() + 120_000;
    while (stored - storedBefore < load.accepted && Date.now() < drainDeadline)
      await new Promise((r) => setTimeout(r, 50));
    const cpu = process.cpuUsage(cpu0);
    const phaseStored = stored - storedBefore;
    const hubCpuSeconds = (cpu.user + cpu.system) / 1e6;
    latencies.sort((a, b) => a - b);
    if (load.firstRefusal) process.stderr.write(`first refused request: ${load.firstRefusal}\n`);
    phases.push({
      offeredPerSecond: rate,
      accepted: load.accepted,
      refused: load.refused,
      pushPerSecond: Math.round(load.accepted / load.seconds),
      stored: phaseStored,
      storedPerSecond: Math.round(phaseStored / ((lastStoredAt - t0) / 1000)),
      drainedMs: Math.max(0, lastStoredAt - t0 - load.seconds * 1000),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: latencies.at(-1) ?? null,
      replyP99Ms: round(percentile(load.replyMs, 99)),
      hubCpuSeconds: round(hubCpuSeconds, 2),
      cpuUsPerReading: round((hubCpuSeconds * 1e6) / Math.max(1, phaseStored)),
      marginalCpuUsPerReading: round(
        ((hubCpuSeconds - (idleCpuPercent / 100) * ((Date.now() - t0) / 1000)) * 1e6) /
          Math.max(1, phaseStored),
      ),
      load1: round(loadavg()[0]!, 2),
    });
    process.stderr.write(`phase ${rate}/s: ${JSON.stringify(phases.at(-1))}\n`);
  }

  // Independent check in InfluxDB itself: one pm25 point per accepted reading.
  const rows = await new InfluxDB({ url: bucket.config.url, token: bucket.config.token })
    .getQueryApi(bucket.config.org)
    .collectRows<{ _value: number }>(
      `from(bucket: "${bucket.config.bucket}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "air" and r._field == "pm25") |> group() |> count()`,
    );
  const inInflux = rows[0]?._value ?? 0;
  const result = {
    lines: LINES,
    clients: CLIENTS,
    seconds: SECONDS,
    stations: STATIONS.length,
    target: TARGET,
    loadavg: loadavg().map((l) => round(l, 2)),
    idleCpuPercent,
    accepted: totalAccepted,
    inInflux,
    lost: totalAccepted - inInflux,
    phases,
  };
  writeResults(
    'ingest',
    'npm run bench:ingest',
    result,
    [
      {
        title: `Line protocol push → Kafka → InfluxDB (${SECONDS} s per row, ${CLIENTS} concurrent requests, ${LINES} lines each)`,
        columns: [
          'offered/s',
          'accepted/s',
          'stored/s',
          'refused',
          'ingest→stored p50 ms',
          'p99 ms',
          'max ms',
          'reply p99 ms',
          'hub CPU µs/reading',
          'without idle',
          'load avg (1 min)',
        ],
        rows: phases.map((p) => [
          p.offeredPerSecond,
          p.pushPerSecond,
          p.storedPerSecond,
          p.refused,
          p.p50Ms,
          p.p99Ms,
          p.maxMs ?? '-',
          p.replyP99Ms,
          p.cpuUsPerReading,
          p.marginalCpuUsPerReading,
          p.load1,
        ]),
      },
      {
        title: 'Nothing lost',
        columns: ['accepted (all rows and the warm-up)', 'in InfluxDB', 'lost'],
        rows: [[totalAccepted, inInflux, result.lost]],
      },
    ],
    [
      `Targets: ${TARGET.perSecond} readings/s sustained with ingest→stored p99 < ${TARGET.p99Ms} ms and none lost; at most ${TARGET.cpuUsPerReading} µs of hub CPU per reading at 10,000/s.`,
      'Hub CPU: user + system time of the hub process (HTTP, parsing, validation, Kafka produce of the readings, the sink consumer group, InfluxDB writes; the AQI of each reading is derived downstream, by the gateway and the push notifier) from the start of a row until its last reading was stored, divided by the readings stored; "without idle" first takes out what the idle hub uses over that time (it weighs more the fewer readings a row gets through). The load generator runs in its own process and is not counted.',
      `Before the rows: ${WARMUP_SECONDS} s at ${WARMUP_RATE}/s to warm up (not reported, but counted in "nothing lost"); the idle hub then used ${idleCpuPercent} % of a core.`,
      `Hub process flags: ${process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')).join(' ') || 'none'} (docs/operations.md: what the ingest role runs with).`,
      'Load generator, hub (ingest role), Kafka and InfluxDB share the same 2-core machine; Kafka and InfluxDB are the real servers from scripts/services.',
      'Latency: from sending the HTTP request until InfluxDB acknowledged the write that carried the reading.',
      `Load average (1, 5, 15 min) at the end: ${result.loadavg.join(', ')}.`,
    ],
  );
} finally {
  await hub.stop();
  await bucket.drop().catch(() => undefined);
  await deleteTestTopics(brokers, prefix).catch(() => undefined);
}
