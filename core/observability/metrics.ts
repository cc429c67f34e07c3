// Prometheus metrics. Each process owns one registry; components take the pieces they update
// rather than reaching for prom-client's global registry, so tests can run several hubs at once.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createBusMetrics(registry: Registry) {
  return {
    published: new Counter({
      name: 'citystream_bus_published_total',
      help: 'Events acknowledged by the bus, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'citystream_bus_publish_failures_total',
      help: 'Publish calls that failed after retries, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    publishSeconds: new Histogram({
      name: 'citystream_bus_publish_duration_seconds',
      help: 'Time from publish() to acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    consumed: new Counter({
      name: 'citystream_bus_consumed_total',
      help: 'Events handled successfully, by topic and consumer group',
      labelNames: ['topic', 'group'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'citystream_bus_dead_lettered_total',
      help: 'Invalid or refused (poison) records sent to the dead-letter topic, by source topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    handlerRetries: new Counter({
      name: 'citystream_bus_handler_retries_total',
      help: 'Handler failures that were retried, by consumer group',
      labelNames: ['group'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'citystream_bus_consumer_lag',
      help: 'Records behind the end of the partition at the last batch, by topic and group',
      labelNames: ['topic', 'group'] as const,
      registers: [registry],
    }),
  };
}
export type BusMetrics = ReturnType<typeof createBusMetrics>;

export function createHttpMetrics(registry: Registry) {
  return {
    requestSeconds: new Histogram({
      name: 'citystream_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

export interface Metrics {
  registry: Registry;
  bus: BusMetrics;
  http: HttpMetrics;
}

/** How often the event-loop lag histogram samples (prom-client's eventLoopMonitoringPrecision). */
const EVENT_LOOP_SAMPLE_MS = 1_000;

export function createMetrics(opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // The event-loop lag histogram samples with a libuv timer, and each tick wakes an idle process:
  // on this project's VMs a wake-up costs ~250 µs of CPU, so prom-client's default 10 ms took ≈ 1 %
  // of a core, 100 ms 2.6–3.0 ms of CPU a second (idle node 0.25), 1 s 0.4–0.8 (2026-12-07). A
  // block of the loop of a second or more always shows; shorter ones show in proportion to their
  // length. Its figures are the time between ticks: 1 s plus the lag (docs/operations.md).
  if (opts.processMetrics ?? true)
    collectDefaultMetrics({
      register: registry,
      prefix: 'citystream_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  return { registry, bus: createBusMetrics(registry), http: createHttpMetrics(registry) };
}
