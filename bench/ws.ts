// Live fanout benchmark: one gateway (this process, stream role on the embedded bus or on real
// Kafka) and a load generator in a separate process (bench/ws-load.ts) holding 1,000 or 5,000
// WebSocket connections, or as many SSE streams, subscribed to one channel. The publisher offers the rate that would
// deliver 100,000 events/s in total (docs/architecture.md, "Performance targets") for a fixed time; we report delivered
// events/s, publish→receive latency percentiles and the gateway's memory per connection.
//   npm run bench:ws                        (Kafka rows need KAFKA_BROKERS: eval "$(scripts/services env)")
//   BENCH_WS_SECONDS=10 BENCH_WS_CONNECTIONS=1000,5000 BENCH_WS_TRANSPORTS=websocket,sse npm run bench:ws
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PublishRecord } from '../core/bus/index.ts';
import { EVENT_TYPES, makeEvent, type AirReading } from '../core/events/index.ts';
import type { Hub } from '../app/hub.ts';
import { deleteTestTopics } from '../test/support/kafka.ts';
import { startGatewayHub } from '../test/support/stream.ts';
import { round, writeResults, warnOnTestBroker } from './lib/results.ts';
import { runWorkerCases, type WorkerCase, type WorkerRow } from './ws-workers.ts';

warnOnTestBroker();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SECONDS = Number(process.env.BENCH_WS_SECONDS ?? 10);
const COUNTS = (process.env.BENCH_WS_CONNECTIONS ?? '1000,5000').split(',').map(Number);
const TRANSPORTS = (process.env.BENCH_WS_TRANSPORTS ?? 'websocket,sse').split(',') as Transport[];
type Transport = 'websocket' | 'sse';
const TARGET_DELIVERED = Number(process.env.BENCH_WS_TARGET ?? 100_000);
const CHANNEL = 'air:city:guangzhou';
const STATIONS = Array.from({ length: 60 }, (_, i) => `GZ-B${String(i).padStart(3, '0')}`);
const LOAD = fileURLToPath(new URL('./ws-load.ts', import.meta.url));

interface Row {
  bus: 'embedded' | 'kafka';
  transport: Transport;
  connections: number;
  offeredPerSecond: number;
  published: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  memoryPerConnectionKiB: number;
  droppedConnections: number;
  /** CPU of the gateway process (with publisher) and of the load generator over the window. */
  gatewayCpuPercent: number;
  loadCpuPercent: number;
  /** Gateway CPU time per delivered event: what the gateway costs, however busy the machine. */
  gatewayCpuMicrosPerDelivery: number;
  /** 1-minute load average at the end of the case (other processes compete for the 2 cores). */
  loadAverage: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

function request<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; error?: string } & T) => {
      if (m.type === 'failed') reject(new Error(m.error));
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    if (type !== 'ready') child.send({ type });
  });
}

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

async function runCase(
  hub: Hub,
  busKind: Row['bus'],
  transport: Transport,
  connections: number,
): Promise<Row> {
  const url = transport === 'sse' ? `http://127.0.0.1:${hub.port}/sse` : `ws://127.0.0.1:${hub.port}/ws`;
  const before = memory();
  const child = fork(LOAD, {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_WS_URL: url,
      BENCH_WS_CONNECTIONS: String(connections),
      BENCH_WS_CHANNEL: CHANNEL,
      BENCH_WS_TRANSPORT: transport,
    },
  });
  try {
    await request(child, 'ready');
    const after = memory();
    const memoryPerConnectionKiB = round((after - before) / connections / 1024, 1);

    // Warm up (JIT, Kafka fetch sessions), then measure a clean window.
    const rate = Math.max(1, Math.round(TARGET_DELIVERED / connections));
    await publishFor(hub, rate, 2);
    await new Promise((r) => setTimeout(r, 500));
    await request(child, 'reset');
    const t0 = wallNow();
    const cpu0 = process.cpuUsage();
    const published = await publishFor(hub, rate, SECONDS);
    // Let the tail arrive.
    const expected = published * connections;
    let report: Report;
    const deadline = Date.now() + 15_000;
    for (;;) {
      ({ report } = await request<{ report: Report }>(child, 'report'));
      if (report.received >= expected || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu = process.cpuUsage(cpu0);
    const span = (report.lastAt - t0) / 1000;
    return {
      bus: busKind,
      transport,
      connections,
      offeredPerSecond: rate * connections,
      published,
      expected,
      delivered: report.received,
      deliveredPerSecond: Math.round(report.received / span),
      p50: round(report.p50, 2),
      p99: round(report.p99, 2),
      p999: round(report.p999, 2),
      max: round(report.max, 1),
      memoryPerConnectionKiB,
      droppedConnections: report.closed,
      gatewayCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / span) * 100),
      gatewayCpuMicrosPerDelivery: round((cpu.user + cpu.system) / Math.max(1, report.received), 2),
      loadAverage: round(loadavg()[0]!, 1),
      loadCpuPercent: Math.round((report.cpuSeconds / span) * 100),
    };
  } finally {
    child.send({ type: 'exit' });
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 500)); // let the gateway see the closes
  }
}

interface Report {
  received: number;
  firstAt: number;
  lastAt: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  closed: number;
  cpuSeconds: number;
}

/** Publishes `rate` events/s to the channel for `seconds`, paced every 10 ms. */
async function publishFor(hub: Hub, rate: number, seconds: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    const due = Math.floor(elapsed * rate) + 1;
    if (due > sent) {
      const records: PublishRecord<AirReading>[] = [];
      for (; sent < due; sent++) {
        const stationId = STATIONS[sent % STATIONS.length]!;
        records.push({
          key: stationId,
          event: makeEvent({
            type: EVENT_TYPES.airReading,
            source: 'bench/ws',
            // Send time for the load generator's latency (wall clock, ms).
            subject: wallNow().toFixed(3),
            data: {
              stationId,
              city: 'guangzhou',
              time: new Date().toISOString(),
              pm25: 35.2,
              pm10: 60,
              o3: 80,
            },
          }),
        });
      }
      pending.push(hub.ctx.bus.publish('air.readings.v1', records));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
  return sent;
}

async function withHub<T>(env: Record<string, string>, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await startGatewayHub(env);
  try {
    return await fn(hub);
  } finally {
    await hub.stop();
  }
}

const rows: Row[] = [];
const workerRows: WorkerRow[] = [];
const notes: string[] = [];
// SSE streams are HTTP requests: the per-IP rate limit would refuse thousands from one client.
const HUB_ENV = { CITYSTREAM_RATE_LIMIT_PER_MINUTE: '10000000' };
/** `workers`: only the multi-core rows (the gateway as its own process with cluster workers). */
const ONLY = process.env.BENCH_WS_ONLY;
/** When the in-process rows were measured: now, unless a workers-only run keeps older ones. */
let rowsAt = new Date().toISOString();
if (ONLY === 'workers') {
  // Keep the in-process rows of the last full run in the results file, and say when they were
  // measured: that run's time, carried over by every workers-only run since.
  const previous = JSON.parse(readFileSync(new URL('./results/ws.json', import.meta.url), 'utf8')) as {
    at?: string;
    data?: { rows?: Row[]; rowsAt?: string };
  };
  rows.push(...(previous.data?.rows ?? []));
  rowsAt = previous.data?.rowsAt ?? previous.at ?? 'an earlier date';
  notes.push(`BENCH_WS_ONLY=workers: the in-process rows are those of the run of ${rowsAt}.`);
} else {
  await withHub(HUB_ENV, async (hub) => {
    for (const n of COUNTS) for (const t of TRANSPORTS) rows.push(await runCase(hub, 'embedded', t, n));
  });
}
const brokers = process.env.KAFKA_BROKERS;
if (brokers) {
  const manyStations = Array.from({ length: 1_000 }, (_, i) => `GZ-M${String(i).padStart(4, '0')}`);
  const cases: WorkerCase[] = [
    {
      name: 'one channel',
      connections: 5_000,
      channels: [CHANNEL],
      stations: STATIONS,
      eventsPerSecond: TARGET_DELIVERED / 5_000,
    },
    {
      name: '1,000 channels',
      connections: 5_000,
      channels: manyStations.map((s) => `air:station:${s}`),
      stations: manyStations,
      eventsPerSecond: 20_000,
    },
  ];
  for (const workers of (process.env.BENCH_WS_WORKERS ?? '1,auto').split(',')) {
    const prefix = `test.benchwsw.${Date.now()}.`;
    try {
      workerRows.push(...(await runWorkerCases(brokers, prefix, workers, cases, SECONDS)));
    } finally {
      await deleteTestTopics(brokers.split(','), prefix);
    }
  }
}
if (brokers && ONLY !== 'workers') {
  const prefix = `test.benchws.${Date.now()}.`;
  try {
    await withHub({ ...HUB_ENV, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }, async (hub) => {
      for (const n of COUNTS) for (const t of TRANSPORTS) rows.push(await runCase(hub, 'kafka', t, n));
    });
  } finally {
    await deleteTestTopics(brokers.split(','), prefix);
  }
} else if (!brokers) {
  notes.push('KAFKA_BROKERS unset: the Kafka rows were not run (eval "$(scripts/services env)").');
}
const busiest = Math.max(...rows.map((r) => r.loadAverage));
if (busiest > cpus().length)
  notes.push(
    `The 1-minute load average reached ${busiest} on ${cpus().length} cores: other work shared the machine, so throughput and latency are what was left over; compare transports by gateway CPU µs/delivery.`,
  );
notes.push(
  `Each case: all connections (WebSocket, or SSE streams at /sse, same channel and offered load) subscribe to ${CHANNEL}; the publisher offers 100,000 / connections events/s for ${SECONDS} s after a 2 s warm-up; latency is publish() call → frame received in the load-generator process.`,
  'Memory per connection: gateway heap + external + array buffers after GC, with the connections open and subscribed, minus before, divided by the count.',
  'Cluster rows: `citystream start --roles stream` with CITYSTREAM_STREAM_WORKERS (1 or `auto` = one per core) as its own process; the publisher (a Kafka producer in the bench process) and the load generator are two more processes on the same 2 cores. Gateway CPU and RSS are summed over the workers (/proc); RSS per connection is resident memory, not heap, so it is not comparable with the in-process column.',
  'The gateway, the publisher (and on the embedded bus, the bus) share one process; the load generator is a second process on the same 2 cores. CPU % is CPU time / wall time of each process: far below 100 % with high latency means the processes were waiting for a core (see the load average), not working.',
);
writeResults(
  'ws',
  'npm run bench:ws',
  { seconds: SECONDS, rows, rowsAt, workerRows },
  [
    {
      title: 'Fanout to one channel',
      columns: [
        'bus',
        'transport',
        'connections',
        'offered ev/s',
        'delivered',
        'delivered ev/s',
        'p50 ms',
        'p99 ms',
        'p999 ms',
        'max ms',
        'KiB/conn',
        'dropped conns',
        'gateway CPU %',
        'load-gen CPU %',
        'gateway CPU µs/delivery',
        'load avg',
      ],
      rows: rows.map((r) => [
        r.bus,
        r.transport ?? 'websocket',
        r.connections,
        r.offeredPerSecond,
        `${r.delivered}/${r.expected}`,
        r.deliveredPerSecond,
        r.p50,
        r.p99,
        r.p999,
        r.max,
        r.memoryPerConnectionKiB,
        r.droppedConnections,
        r.gatewayCpuPercent,
        r.loadCpuPercent,
        r.gatewayCpuMicrosPerDelivery,
        r.loadAverage,
      ]),
    },
    {
      title: 'Gateway as its own process, cluster workers (real Kafka)',
      columns: [
        'gateway',
        'case',
        'connections',
        'channels',
        'offered ev/s',
        'delivered',
        'delivered/s',
        'p50 ms',
        'p99 ms',
        'p999 ms',
        'max ms',
        'RSS KiB/conn',
        'dropped conns',
        'gateway CPU %',
        'load-gen CPU %',
        'gateway CPU µs/delivery',
        'load avg',
      ],
      rows: workerRows.map((r) => [
        r.gateway,
        r.case,
        r.connections,
        r.channels,
        r.offeredEventsPerSecond,
        `${r.delivered}/${r.expected}`,
        r.deliveredPerSecond,
        r.p50,
        r.p99,
        r.p999,
        r.max,
        r.rssPerConnectionKiB,
        r.droppedConnections,
        r.gatewayCpuPercent,
        r.loadCpuPercent,
        r.gatewayCpuMicrosPerDelivery,
        r.loadAverage,
      ]),
    },
  ],
  notes,
);
process.exit(0);
