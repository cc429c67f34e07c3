// A reading's AQI event for air.aqi.v1, made where the reading is accepted: the intake publishes
// it with the reading, so no consumer group reads every reading back only to compute it (that
// group and its second record per reading were a third of the ingest path's CPU).
import type { PublishRecord } from '../../core/bus/index.ts';
import { EVENT_TYPES, makeEvent, TOPICS, type AirAqi, type AirReading } from '../../core/events/index.ts';
import { validateOwnEvent } from '../../core/events/validate.ts';
import { computeAqi } from '../../core/domain/aqi.ts';

export type AqiCompute = (r: AirReading) => AirAqi | null;

export type AqiOutcome =
  | { ok: true; record: PublishRecord<AirAqi> }
  /** Why a reading has no AQI event: a bug in the computation, never the reading's fault. */
  | { ok: false; reason: string }
  /** No pollutant the indices use (a temperature/humidity-only reading). */
  | null;

export function aqiRecord(reading: AirReading, compute: AqiCompute = computeAqi): AqiOutcome {
  let aqi: AirAqi | null;
  try {
    aqi = compute(reading);
  } catch (err) {
    return { ok: false, reason: `AQI could not be computed: ${(err as Error).message}` };
  }
  if (!aqi) return null;
  const event = makeEvent({
    type: EVENT_TYPES.airAqi,
    source: '/citystream/ingest/air/aqi',
    subject: aqi.stationId,
    // Stable per (station, time): a retried push publishes the same event again.
    id: `aqi/${aqi.stationId}/${aqi.time}`,
    time: aqi.time,
    data: aqi,
  });
  // Checked here, one by one: the bus refuses a whole publish for one invalid record. The event
  // and its data were made just above and nobody else holds them.
  const checked = validateOwnEvent(TOPICS.airAqi, event);
  if (!checked.ok) {
    const issues = checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return {
      ok: false,
      reason: `AQI event would be invalid: ${checked.reason}${issues ? ` (${issues})` : ''}`,
    };
  }
  // The checked event itself: the bus knows it and does not check it again.
  return { ok: true, record: { key: aqi.stationId, event: checked.event as typeof event } };
}
