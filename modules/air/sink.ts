// The time-series sink: a consumer group on air.readings.v1 that writes each batch to the store
// and returns only once the store acknowledged it, so the bus commits the offsets only then. When
// the store is down the handler throws, the bus retries the same batch with backoff, and nothing
// is committed that is not stored; a re-delivered reading replaces itself (same series and time).
import { Counter, Histogram } from 'prom-client';
import type { Consumer } from '../../core/bus/index.ts';
import type { AirReading } from '../../core/events/index.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import type { HubContext } from '../../core/runtime/context.ts';
import type { Point, TimeSeriesStore } from '../../core/timeseries/index.ts';
import { MEASURES } from './normalise.ts';

export const AIR_MEASUREMENT = 'air';

export function readingToPoint(r: AirReading): Point {
  const fields: Record<string, number> = {};
  for (const m of MEASURES) if (r[m] !== undefined) fields[m] = r[m];
  return {
    measurement: AIR_MEASUREMENT,
    tags: { stationId: r.stationId, city: r.city },
    fields,
    time: new Date(r.time),
  };
}

export interface SinkMetrics {
  stored: Counter;
  latency: Histogram;
}

export function sinkMetrics(ctx: HubContext): SinkMetrics {
  return {
    stored: new Counter({
      name: 'citystream_air_readings_stored_total',
      help: 'Readings written to the time-series store',
      registers: [ctx.metrics.registry],
    }),
    latency: new Histogram({
      name: 'citystream_air_ingest_to_stored_seconds',
      help: 'From publish to air.readings.v1 until the store acknowledged the reading',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [ctx.metrics.registry],
    }),
  };
}

export async function startSink(
  ctx: HubContext,
  store: TimeSeriesStore,
  metrics: SinkMetrics,
): Promise<Consumer> {
  return ctx.bus.consume({
    mode: 'group',
    groupId: 'air-sink',
    topics: [TOPICS.airReadings.name],
    concurrency: 6,
    handler: async (batch) => {
      const points: Point[] = [];
      for (const d of batch.deliveries) if (d.event) points.push(readingToPoint(d.event.data as AirReading));
      if (points.length === 0) return;
      try {
        await store.write(points);
      } catch (err) {
        ctx.logger.warn(
          { err: (err as Error).message, partition: batch.partition, points: points.length },
          'time-series write failed; the batch will be retried',
        );
        throw err;
      }
      const now = Date.now();
      metrics.stored.inc(points.length);
      for (const d of batch.deliveries) metrics.latency.observe((now - d.timestamp) / 1000);
    },
  });
}
