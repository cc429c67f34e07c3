// Prometheus metrics of the gateway, on the process registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createStreamMetrics(registry: Registry) {
  return {
    connections: new Gauge({
      name: 'citystream_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'citystream_ws_subscriptions',
      help: 'Channel subscriptions over all connections',
      registers: [registry],
    }),
    sent: new Counter({
      name: 'citystream_ws_events_sent_total',
      help: 'Event frames written to connections (live and replayed)',
      registers: [registry],
    }),
    conflated: new Counter({
      name: 'citystream_ws_events_conflated_total',
      help: 'Events replaced by a newer one for a slow connection on a latest-wins channel',
      registers: [registry],
    }),
    closed: new Counter({
      name: 'citystream_ws_closed_total',
      help: 'Connections closed by the gateway, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'citystream_ws_error_frames_total',
      help: 'Error frames sent, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    recoveries: new Counter({
      name: 'citystream_ws_recoveries_total',
      help: 'Subscriptions with `since`, by whether the history covered the gap',
      labelNames: ['recovered'] as const,
      registers: [registry],
    }),
    replaysCut: new Counter({
      name: 'citystream_ws_replays_cut_total',
      help: 'Recoveries answered recovered:false because the replay would not fit in the send buffer',
      registers: [registry],
    }),
    fanoutSeconds: new Histogram({
      name: 'citystream_ws_fanout_batch_seconds',
      help: 'Time to map, record and send one consumed batch',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}
export type StreamMetrics = ReturnType<typeof createStreamMetrics>;
