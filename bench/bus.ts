// Bus benchmark: publish → consume throughput and latency, embedded adapter and real Kafka.
//   node --import tsx bench/bus.ts            (Kafka part needs KAFKA_BROKERS, e.g. eval "$(scripts/services env)")
// Two runs per adapter: (1) saturation — publish as fast as acknowledgements allow, measure
// delivered events/s; (2) a fixed offered rate — measure publish→handler latency percentiles.
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createBus } from '../core/bus/index.ts';
import type { Bus } from '../core/bus/types.ts';
import { loadConfig, type BusConfig } from '../core/config/index.ts';
import { EVENT_TYPES, makeEvent, type AirReading } from '../core/events/index.ts';
import { createBusMetrics } from '../core/observability/metrics.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { deleteTestTopics } from '../test/support/kafka.ts';
import { percentile, round, writeResults, warnOnTestBroker } from './lib/results.ts';

warnOnTestBroker();

const TOPIC = 'air.readings.v1';
const STATIONS = Array.from({ length: 200 }, (_, i) => `BENCH-${String(i).padStart(4, '0')}`);

function records(n: number, seq: number) {
  return Array.from({ length: n }, (_, i) => {
    const stationId = STATIONS[(seq + i) % STATIONS.length]!;
    return {
      key: stationId,
      headers: { t: String(performance.now()) },
      event: makeEvent<AirReading>({
        type: EVENT_TYPES.airReading,
        source: 'bench/bus',
        data: {
          stationId,
          city: 'shenzhen',
          time: new Date().toISOString(),
          pm25: 35.2,
          pm10: 60,
          o3: 80,
          no2: 40,
          humidity: 64,
        },
      }),
    };
  });
}

interface RunResult {
  events: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  p999: number;
}

async function run(
  bus: Bus,
  opts: { total: number; batch: number; inFlight: number; ratePerSec?: number },
): Promise<RunResult> {
  const latencies: number[] = [];
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const consumer = await bus.consume({
    groupId: `bench-${randomUUID()}`,
    topics: [TOPIC],
    start: 'latest',
    concurrency: 6,
    handler: async (b) => {
      const now = performance.now();
      for (const d of b.deliveries) latencies.push(now - Number(d.headers.t));
      received += b.deliveries.length;
      if (received >= opts.total) done();
    },
  });
  // Let the group settle on its partitions before measuring.
  await new Promise((r) => setTimeout(r, bus.kind === 'kafka' ? 3_000 : 100));
  const t0 = performance.now();
  let sent = 0;
  const workers = Array.from({ length: opts.inFlight }, async () => {
    while (sent < opts.total) {
      const n = Math.min(opts.batch, opts.total - sent);
      const seq = sent;
      sent += n;
      if (opts.ratePerSec) {
        const due = t0 + (seq / opts.ratePerSec) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await bus.publish(TOPIC, records(n, seq));
    }
  });
  await Promise.all(workers);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await consumer.stop();
  latencies.sort((a, b) => a - b);
  return {
    events: received,
    seconds: round(seconds, 2),
    perSecond: Math.round(received / seconds),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    p999: round(percentile(latencies, 99.9)),
  };
}

async function benchAdapter(label: string, config: BusConfig, cleanup?: () => Promise<void>) {
  const bus = await createBus(config, { logger: silentLogger(), metrics: createBusMetrics(new Registry()) });
  await bus.start();
  try {
    const saturation = await run(bus, {
      total: config.kind === 'kafka' ? 200_000 : 300_000,
      batch: 500,
      inFlight: 8,
    });
    const rate = config.kind === 'kafka' ? 10_000 : 20_000;
    const paced = await run(bus, { total: rate * 5, batch: 50, inFlight: 4, ratePerSec: rate });
    return { label, saturation, paced: { ...paced, offeredPerSecond: rate } };
  } finally {
    await bus.close();
    await cleanup?.();
  }
}

const config = loadConfig(process.env);
const results = [
  await benchAdapter('embedded', { kind: 'embedded', topicPrefix: 'bench.', retentionRecords: 100_000 }),
];
if (config.bus.kind === 'kafka') {
  const prefix = `test.benchbus.${randomUUID().slice(0, 8)}.`;
  const brokers = config.bus.brokers;
  results.push(
    await benchAdapter(
      `Kafka ${brokers.join(',')}`,
      { ...config.bus, topicPrefix: prefix, clientId: 'bench-bus' },
      () => deleteTestTopics(brokers, prefix),
    ),
  );
} else {
  process.stderr.write('KAFKA_BROKERS unset: measuring the embedded bus only\n');
}

writeResults(
  'bus',
  'node --import tsx bench/bus.ts',
  results,
  [
    {
      title: 'Saturation: publish (batches of 500, 8 in flight) → consume, one consumer group',
      columns: ['adapter', 'events', 'seconds', 'delivered events/s', 'p50 ms', 'p99 ms', 'p999 ms'],
      rows: results.map((r) => [
        r.label,
        r.saturation.events,
        r.saturation.seconds,
        r.saturation.perSecond,
        r.saturation.p50,
        r.saturation.p99,
        r.saturation.p999,
      ]),
    },
    {
      title: 'Fixed offered rate: publish → handler latency',
      columns: ['adapter', 'offered events/s', 'delivered events/s', 'p50 ms', 'p99 ms', 'p999 ms'],
      rows: results.map((r) => [
        r.label,
        r.paced.offeredPerSecond,
        r.paced.perSecond,
        r.paced.p50,
        r.paced.p99,
        r.paced.p999,
      ]),
    },
  ],
  [
    'Latency is measured in one process from the publish() call to the consumer handler (same clock).',
    'Kafka: single-node KRaft 3.9 on 127.0.0.1, idempotent producer with acks=-1, topics of 6 partitions.',
    'Saturation latency includes queueing behind 8 in-flight batches; the paced run shows latency at a sustainable rate.',
  ],
);
process.exit(0);
