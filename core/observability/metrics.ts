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

export function createMetrics(opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // The event-loop lag histogram samples with a libuv timer: prom-client's default 10 ms wakes an
  // idle process 100 times a second (≈ 1 % of a core on a busy 2-core machine, measured); 100 ms
  // still gives ~150 samples per 15 s scrape for the percentiles.
  if (opts.processMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'citystream_', eventLoopMonitoringPrecision: 100 });
  return { registry, bus: createBusMetrics(registry), http: createHttpMetrics(registry) };
}
