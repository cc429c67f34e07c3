// The time-series sink: a consumer group on air.readings.v1 that writes each batch to the store
// and returns only once the store acknowledged it, so the bus commits the offsets only then. When
// the store is down the handler throws, the bus retries the same batch with backoff, and nothing
// is committed that is not stored; a re-delivered reading replaces itself (same series and time).
// A reading the store can never take (a time it cannot represent, a write it refuses with 400/422)
// is refused to the bus, which dead-letters it: the rest of the batch is stored and committed.
import { Counter, Histogram } from 'prom-client';
import type { Consumer, TopicDelivery } from '../../core/bus/index.ts';
import type { AirReading } from '../../core/events/index.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import type { HubContext } from '../../core/runtime/context.ts';
import {
  pointProblem,
  WriteRefusedError,
  type Point,
  type TimeSeriesStore,
} from '../../core/timeseries/index.ts';
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
      const items: { delivery: TopicDelivery<typeof TOPICS.airReadings.name>; point: Point }[] = [];
      for (const d of batch.deliveries) {
        if (!d.event) continue;
        const point = readingToPoint(d.event.data);
        const problem = pointProblem(point);
        if (problem) batch.refuse(d, problem);
        else items.push({ delivery: d, point });
      }
      if (items.length === 0) return;
      let refused: Map<number, string>;
      try {
        refused = await writeNarrowing(
          store,
          items.map((i) => i.point),
        );
      } catch (err) {
        ctx.logger.warn(
          { err: (err as Error).message, partition: batch.partition, points: items.length },
          'time-series write failed; the batch will be retried',
        );
        throw err;
      }
      for (const [i, reason] of refused) batch.refuse(items[i]!.delivery, reason);
      const now = Date.now();
      metrics.stored.inc(items.length - refused.size);
      for (const [i, { delivery }] of items.entries()) {
        if (!refused.has(i)) metrics.latency.observe((now - delivery.timestamp) / 1000);
      }
    },
  });
}

/**
 * Writes the points; when the store refuses the write, halves it until the points at fault are
 * alone, so the others are stored and only those are refused (index → the store's reason). A
 * transient failure is thrown for the caller to retry the whole batch. k bad points among n cost
 * about 2·k·log2(n) extra writes; a clean batch costs one.
 */
export async function writeNarrowing(
  store: TimeSeriesStore,
  points: Point[],
  offset = 0,
): Promise<Map<number, string>> {
  try {
    await store.write(points);
    return new Map();
  } catch (err) {
    if (!(err instanceof WriteRefusedError)) throw err;
    if (points.length === 1) return new Map([[offset, err.message]]);
    const half = Math.ceil(points.length / 2);
    const first = await writeNarrowing(store, points.slice(0, half), offset);
    const second = await writeNarrowing(store, points.slice(half), offset + half);
    return new Map([...first, ...second]);
  }
}
