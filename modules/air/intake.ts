// The one door every reading comes through, whatever carried it (HTTP push, line protocol, MQTT,
// a poller): normalise against the station registry, publish the valid ones to air.readings.v1
// keyed by station, and say precisely what was refused. Resolves once Kafka acknowledged.
import type { Bus } from '../../core/bus/index.ts';
import type { AirConfig } from '../../core/config/sections/air.ts';
import { makeEvent, type AirReading } from '../../core/events/index.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import { normaliseReading, type Rejection } from './normalise.ts';
import type { StationCache } from '../../core/domain/stations.ts';

export interface ItemRejection extends Rejection {
  /** Position of the item in the request (0-based). */
  index: number;
}

export interface IntakeResult {
  accepted: number;
  rejected: ItemRejection[];
  readings: AirReading[];
}

export interface Intake {
  /**
   * `items[i]` may be undefined with a parse rejection already known (e.g. an NDJSON line that is
   * not JSON): pass those in `preRejected`. With `atomic`, nothing is published if anything fails.
   */
  submit(
    items: { index: number; value: unknown }[],
    options: { origin: string; atomic?: boolean; preRejected?: ItemRejection[] },
  ): Promise<IntakeResult>;
}

export function readingEvent(r: AirReading) {
  return makeEvent({
    type: EVENT_TYPES.airReading,
    source: `/citystream/ingest/air/${r.origin ?? 'unknown'}`,
    subject: r.stationId,
    // Stable per (station, time): a retried push or re-polled reading carries the same id.
    id: `${r.stationId}/${r.time}`,
    time: r.time,
    data: r,
  });
}

export function createIntake(bus: Bus, stations: StationCache, config: AirConfig): Intake {
  return {
    async submit(items, options) {
      await stations.ensure(
        items.flatMap((i) =>
          typeof i.value === 'object' && i.value !== null && 'stationId' in i.value
            ? [String(i.value.stationId)]
            : [],
        ),
      );
      const now = Date.now();
      const rejected: ItemRejection[] = [...(options.preRejected ?? [])];
      const readings: AirReading[] = [];
      for (const { index, value } of items) {
        const result = normaliseReading(value, {
          now,
          maxFutureMs: config.maxFutureMs,
          maxAgeMs: config.maxAgeMs,
          station: (id) => stations.get(id),
          origin: options.origin,
        });
        if (result.ok) readings.push(result.reading);
        else for (const r of result.rejections) rejected.push({ index, ...r });
      }
      rejected.sort((a, b) => a.index - b.index);
      if (options.atomic && rejected.length > 0) return { accepted: 0, rejected, readings: [] };
      if (readings.length > 0) {
        await bus.publish(
          TOPICS.airReadings.name,
          readings.map((r) => ({ key: r.stationId, event: readingEvent(r) })),
        );
      }
      return { accepted: readings.length, rejected, readings };
    },
  };
}
