// The multi-core rows of bench/ws: the gateway as its own `citystream start --roles stream`
// process with CITYSTREAM_STREAM_WORKERS workers (node:cluster) on real Kafka, the publisher in
// the bench process (its own Kafka producer), the load generator in a third process. Gateway CPU
// is the sum of the workers' utime + stime (/proc), memory the sum of their RSS.
//   Run by bench/ws.ts when KAFKA_BROKERS is set; BENCH_WS_WORKERS (default `auto`) sets the count.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublishRecord } from '../core/bus/index.ts';
import type { KafkaBus } from '../core/bus/kafka.ts';
import { EVENT_TYPES, makeEvent, type AirReading } from '../core/events/index.ts';
import { cliArgs, startHub } from '../test/support/hub-process.ts';
import { quietKafkaBus } from '../test/support/kafka.ts';
import { freePort } from '../test/support/ports.ts';
import { workerPids } from '../test/support/stream-workers.ts';
import { cpuSeconds, rssMiB } from './lib/hub-probe.ts';
import { round } from './lib/results.ts';

const LOAD = fileURLToPath(new URL('./ws-load.ts', import.meta.url));
const wallNow = () => performance.timeOrigin + performance.now();

export interface WorkerCase {
  name: string;
  connections: number;
  /** Channels the connections are spread over (connection i takes channel i mod n). */
  channels: string[];
  /** Station ids the publisher cycles through; each maps to one channel or all to the city one. */
  stations: string[];
  eventsPerSecond: number;
}

export interface WorkerRow {
  gateway: string;
  case: string;
  connections: number;
  channels: number;
  offeredEventsPerSecond: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  rssPerConnectionKiB: number;
  droppedConnections: number;
  gatewayCpuPercent: number;
  loadCpuPercent: number;
  gatewayCpuMicrosPerDelivery: number;
  loadAverage: number;
}

const sum = (pids: number[], f: (pid: number) => number | null) => pids.reduce((s, p) => s + (f(p) ?? 0), 0);

export async function runWorkerCases(
  brokers: string,
  prefix: string,
  workers: string,
  cases: WorkerCase[],
  seconds: number,
): Promise<WorkerRow[]> {
  const bus = quietKafkaBus(brokers.split(','), 'bench-ws-workers', prefix);
  await bus.start();
  const port = await freePort();
  const hub = await startHub(
    {
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      CITYSTREAM_ROLES: 'stream',
      CITYSTREAM_STREAM_WORKERS: workers,
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_LOG_LEVEL: 'info',
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_HTTP_PORT: String(port),
      CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'citystream-bench-ws-')),
    },
    undefined,
    // the sources, as every other bench runs them (the figures in README were measured so)
    { args: cliArgs('start') },
  );
  const expectWorkers = workers === 'auto' ? null : Number(workers);
  const deadline = Date.now() + 60_000;
  while (workerPids(hub).length < (expectWorkers ?? 1) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  while (Date.now() < deadline) {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1_000)); // every worker's history replay done
  const pids = workerPids(hub);
  const label = `kafka, ${pids.length} worker${pids.length === 1 ? '' : 's'}`;
  const rows: WorkerRow[] = [];
  try {
    for (const c of cases) rows.push(await runCase(bus, port, pids, label, c, seconds));
  } finally {
    await hub.stop('SIGTERM');
    await bus.close();
  }
  return rows;
}

async function runCase(
  bus: KafkaBus,
  port: number,
  pids: number[],
  label: string,
  c: WorkerCase,
  seconds: number,
): Promise<WorkerRow> {
  const rssBefore = sum(pids, rssMiB);
  const child = fork(LOAD, {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_WS_URL: `ws://127.0.0.1:${port}/ws`,
      BENCH_WS_CONNECTIONS: String(c.connections),
      BENCH_WS_CHANNEL: c.channels.join(','),
    },
  });
  const request = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string; error?: string } & T) => {
        if (m.type === 'failed') reject(new Error(m.error));
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      if (type !== 'ready') child.send({ type });
    });
  try {
    await request('ready');
    await new Promise((r) => setTimeout(r, 500));
    const rssPerConnectionKiB = round(((sum(pids, rssMiB) - rssBefore) * 1024) / c.connections, 1);
    await publishFor(bus, c, 2);
    await new Promise((r) => setTimeout(r, 500));
    await request('reset');
    const t0 = wallNow();
    const cpu0 = sum(pids, cpuSeconds);
    const published = await publishFor(bus, c, seconds);
    const expected = (published * c.connections) / c.channels.length;
    let report: Report;
    const until = Date.now() + 15_000;
    for (;;) {
      ({ report } = await request<{ report: Report }>('report'));
      if (report.received >= expected || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu = sum(pids, cpuSeconds) - cpu0;
    const span = (report.lastAt - t0) / 1000;
    return {
      gateway: label,
      case: c.name,
      connections: c.connections,
      channels: c.channels.length,
      offeredEventsPerSecond: c.eventsPerSecond,
      expected,
      delivered: report.received,
      deliveredPerSecond: Math.round(report.received / span),
      p50: round(report.p50, 2),
      p99: round(report.p99, 2),
      p999: round(report.p999, 2),
      max: round(report.max, 1),
      rssPerConnectionKiB,
      droppedConnections: report.closed,
      gatewayCpuPercent: Math.round((cpu / span) * 100),
      loadCpuPercent: Math.round((report.cpuSeconds / span) * 100),
      gatewayCpuMicrosPerDelivery: round((cpu * 1e6) / Math.max(1, report.received), 2),
      loadAverage: round(loadavg()[0]!, 1),
    };
  } finally {
    child.send({ type: 'exit' });
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Report {
  received: number;
  lastAt: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  closed: number;
  cpuSeconds: number;
}

/** Publishes `c.eventsPerSecond` readings/s over the case's stations for `seconds`, paced every 10 ms. */
async function publishFor(bus: KafkaBus, c: WorkerCase, seconds: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    const due = Math.floor(elapsed * c.eventsPerSecond) + 1;
    if (due > sent) {
      const records: PublishRecord<AirReading>[] = [];
      for (; sent < due; sent++) {
        const stationId = c.stations[sent % c.stations.length]!;
        records.push({
          key: stationId,
          event: makeEvent({
            type: EVENT_TYPES.airReading,
            source: 'bench/ws',
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
      pending.push(bus.publish('air.readings.v1', records));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(pending);
  return sent;
}
