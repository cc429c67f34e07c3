// The one door every reading comes through, whatever carried it (HTTP push, line protocol, MQTT,
// a poller): normalise against the station registry, publish the valid ones to air.readings.v1
// keyed by station, and say precisely what was refused. Resolves once Kafka acknowledged them;
// throws only when the station registry or the bus cannot be reached (transient: retry the
// request; the events carry stable ids). A reading's AQI is not published: it is a pure function
// of the reading, computed where it is used (core/domain/aqi-event.ts: the gateway, the push
// notifier; the API from stored readings).
import type { Bus, PublishRecord } from '../../core/bus/index.ts';
import type { AirConfig } from '../../core/config/sections/air.ts';
import { makeEvent, type AirReading } from '../../core/events/index.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import { validateOwnEvent } from '../../core/events/validate.ts';
import { normaliseReading, type NormaliseOptions, type Rejection } from './normalise.ts';
import { RejectionLog, type ItemRejection } from './rejection-log.ts';
import type { StationCache } from '../../core/domain/stations.ts';
import { outOfScope, type KeyGrant } from '../../core/auth/index.ts';

export type { ItemRejection } from './rejection-log.ts';

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
    options: { origin: string; atomic?: boolean; preRejected?: ItemRejection[]; scope?: KeyGrant | null },
  ): Promise<IntakeResult>;
  /**
   * A request judged while its body streams in: items are normalised chunk by chunk and only the
   * resulting readings are kept, refusals go to a bounded log. Nothing is published before commit.
   */
  begin(options: { origin: string; maxRejections: number; scope?: KeyGrant | null }): IntakeBatch;
}

export interface IntakeBatch {
  /** Normalises these items now; their raw values are not kept. */
  add(items: { index: number; value: unknown; line?: number }[]): Promise<void>;
  /** An item refused before it could be normalised (not JSON, a malformed line, too long). */
  refuse(index: number, field: string, reason: string, line?: number): void;
  readonly refused: RejectionLog;
  /** Publishes the accepted readings (none with `atomic` when anything was refused). */
  commit(atomic: boolean): Promise<{ accepted: number; refused: RejectionLog }>;
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

type Judged =
  | { ok: true; reading: AirReading; record: PublishRecord<AirReading> }
  | { ok: false; rejections: Rejection[] };

/** One item's fate: a reading with its checked event, or why not. */
function judge(value: unknown, options: NormaliseOptions, scope?: KeyGrant | null): Judged {
  // One item that breaks the code below is that item's refusal, never the request's failure.
  try {
    const result = normaliseReading(value, options);
    if (!result.ok) return result;
    // The integrator key's scope (a city, a set of stations) bounds what it may push.
    const outside = scope ? outOfScope(scope, result.reading.stationId, result.reading.city) : null;
    if (outside) return { ok: false, rejections: [{ field: 'stationId', reason: outside }] };
    // The bus refuses a whole publish for one invalid record: check each one here. The event is
    // new and ours alone (its data is the reading returned only after the publish).
    const event = readingEvent(result.reading);
    const checked = validateOwnEvent(TOPICS.airReadings, event);
    if (!checked.ok) {
      const issues = checked.issues.length > 0 ? checked.issues : [{ path: '', message: checked.reason }];
      return {
        ok: false,
        rejections: issues.map((i) => ({ field: i.path.replace(/^data\.?/, ''), reason: i.message })),
      };
    }
    // The checked event itself: the bus knows it and does not check it again.
    const checkedEvent = checked.event as typeof event;
    return {
      ok: true,
      reading: result.reading,
      record: { key: result.reading.stationId, event: checkedEvent },
    };
  } catch (err) {
    return {
      ok: false,
      rejections: [{ field: '', reason: `could not be processed: ${(err as Error).message}` }],
    };
  }
}

/** Station ids named by the items, each once, so a miss reloads the registry at most once. */
function namedStations(items: readonly { value: unknown }[]): Set<string> {
  const ids = new Set<string>();
  for (const { value } of items) {
    if (typeof value === 'object' && value !== null && 'stationId' in value) ids.add(String(value.stationId));
  }
  return ids;
}

export function createIntake(
  bus: Bus,
  stations: StationCache,
  // Push limits are the HTTP edge's business, not the intake's.
  config: Omit<AirConfig, 'ingestMaxItems'>,
): Intake {
  const options = (origin: string): NormaliseOptions => ({
    now: Date.now(),
    maxFutureMs: config.maxFutureMs,
    maxAgeMs: config.maxAgeMs,
    station: (id) => stations.get(id),
    origin,
  });
  return {
    async submit(items, { origin, atomic, preRejected, scope }) {
      await stations.ensure(namedStations(items));
      const o = options(origin);
      const rejected: ItemRejection[] = [...(preRejected ?? [])];
      const readings: AirReading[] = [];
      const records: PublishRecord<AirReading>[] = [];
      for (const { index, value } of items) {
        const result = judge(value, o, scope);
        if (result.ok) {
          readings.push(result.reading);
          records.push(result.record);
        } else for (const r of result.rejections) rejected.push({ index, ...r });
      }
      rejected.sort((a, b) => a.index - b.index);
      if (atomic && rejected.length > 0) return { accepted: 0, rejected, readings: [] };
      if (records.length > 0) await bus.publish(TOPICS.airReadings.name, records);
      return { accepted: readings.length, rejected, readings };
    },

    begin({ origin, maxRejections, scope }) {
      const refused = new RejectionLog(maxRejections);
      const records: PublishRecord<AirReading>[] = [];
      // One clock for the whole request, as submit has: a reading's fate does not depend on
      // how long the body took to arrive.
      const o = options(origin);
      // The registry is reloaded at most once per request, as submit does: a body naming a
      // different unknown station on every line must not reload it once per chunk.
      let reloaded = false;
      return {
        refused,
        async add(items) {
          // Every chunk: a cache past its age bound is reloaded (ensure([]) does only that).
          const ids = reloaded ? [] : [...namedStations(items)];
          const miss = ids.some((id) => !stations.get(id));
          await stations.ensure(miss ? ids : []);
          if (miss) reloaded = true;
          for (const { index, value, line } of items) {
            const result = judge(value, o, scope);
            if (result.ok) records.push(result.record);
            else refused.refuse(index, result.rejections, line);
          }
        },
        refuse(index, field, reason, line) {
          refused.refuse(index, [{ field, reason }], line);
        },
        async commit(atomic) {
          if (atomic && refused.items > 0) return { accepted: 0, refused };
          if (records.length > 0) await bus.publish(TOPICS.airReadings.name, records);
          return { accepted: records.length, refused };
        },
      };
    },
  };
}
