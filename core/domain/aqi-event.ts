// A reading's AQI as a `city.air.aqi.v1` event. No topic carries these: the AQI is a pure function
// of the reading, so whoever needs it (the gateway's `aqi:city:{city}` channels, the push notifier)
// derives it from the reading on air.readings.v1. Publishing it as a second record per reading had
// cost the ingest path about a fifth of its CPU (docs/ingest.md). Derivation is deterministic, so
// every gateway makes the same event, with the same id, for the same reading.
import { EVENT_TYPES } from '../events/catalog.ts';
import { makeEvent, type CloudEvent } from '../events/envelope.ts';
import type { AirAqi, AirReading } from '../events/air.ts';
import { computeAqi } from './aqi.ts';

export type AqiEvent = CloudEvent<AirAqi, typeof EVENT_TYPES.airAqi>;

/** Stable per (station, time): a reading stored twice gives the same AQI event twice. */
export const aqiEventId = (a: Pick<AirAqi, 'stationId' | 'time'>): string => `aqi/${a.stationId}/${a.time}`;

/** The reading's AQI event, or null when it measures no pollutant the indices use. */
export function aqiEventOf(reading: AirReading): AqiEvent | null {
  const aqi = computeAqi(reading);
  if (!aqi) return null;
  return makeEvent({
    type: EVENT_TYPES.airAqi,
    source: '/citystream/air/aqi',
    subject: aqi.stationId,
    id: aqiEventId(aqi),
    time: aqi.time,
    data: aqi,
  });
}
