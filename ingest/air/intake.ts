// The one door every reading comes through, whatever carried it (HTTP push, line protocol, MQTT,
// a poller): normalise against the station registry, publish the valid ones to air.readings.v1
// keyed by station, and say precisely what was refused. Resolves once Kafka acknowledged; throws
// only when the station registry or the bus cannot be reached (transient: retry the request).
import type { Bus, PublishRecord } from '../../core/bus/index.ts';
import type { AirConfig } from '../../core/config/sections/air.ts';
import { makeEvent, type AirReading } from '../../core/events/index.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import { validateEvent } from '../../core/events/validate.ts';
import { normaliseReading, type Rejection } from './normalise.ts';
import type { StationCache } from './stations.ts';

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
      const records: PublishRecord[] = [];
      for (const { index, value } of items) {
        // One item that breaks the code below is that item's refusal, never the request's failure.
        try {
          const result = normaliseReading(value, {
            now,
            maxFutureMs: config.maxFutureMs,
            maxAgeMs: config.maxAgeMs,
            station: (id) => stations.get(id),
            origin: options.origin,
          });
          if (!result.ok) {
            for (const r of result.rejections) rejected.push({ index, ...r });
            continue;
          }
          // The bus refuses a whole publish for one invalid record: check each one here.
          const event = readingEvent(result.reading);
          const checked = validateEvent(TOPICS.airReadings, event);
          if (!checked.ok) {
            const issues =
              checked.issues.length > 0 ? checked.issues : [{ path: '', message: checked.reason }];
            for (const i of issues)
              rejected.push({ index, field: i.path.replace(/^data\.?/, ''), reason: i.message });
            continue;
          }
          readings.push(result.reading);
          records.push({ key: result.reading.stationId, event });
        } catch (err) {
          rejected.push({ index, field: '', reason: `could not be processed: ${(err as Error).message}` });
        }
      }
      rejected.sort((a, b) => a.index - b.index);
      if (options.atomic && rejected.length > 0) return { accepted: 0, rejected, readings: [] };
      if (records.length > 0) await bus.publish(TOPICS.airReadings.name, records);
      return { accepted: readings.length, rejected, readings };
    },
  };
}
