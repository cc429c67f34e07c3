// The AQI processor: a consumer group on air.readings.v1 that computes both indices for every
// reading with a pollutant and publishes them to air.aqi.v1 (keyed by station). Offsets are
// committed after the publish is acknowledged; a replay re-publishes with the same event id.
// A reading whose indices cannot be computed or do not make a valid event (a throw, a NaN) is
// refused to the bus, which dead-letters it; the others are published. A failed publish is
// transient and retried.
import type { Batch, Consumer, PublishRecord } from '../../core/bus/index.ts';
import { EVENT_TYPES, makeEvent, TOPICS, type AirAqi, type AirReading } from '../../core/events/index.ts';
import { validateOwnEvent } from '../../core/events/validate.ts';
import type { HubContext } from '../../core/runtime/context.ts';
import { computeAqi } from '../../core/domain/aqi.ts';

export async function startAqiProcessor(ctx: HubContext): Promise<Consumer> {
  return ctx.bus.consume({
    mode: 'group',
    groupId: 'air-aqi',
    topics: [TOPICS.airReadings.name],
    handler: async (batch) => {
      const records = aqiRecords(batch);
      if (records.length > 0) await ctx.bus.publish(TOPICS.airAqi.name, records);
    },
  });
}

/** The air.aqi.v1 records for a batch; deliveries that cannot give one are refused on the batch. */
export function aqiRecords(
  batch: Pick<Batch<typeof TOPICS.airReadings.name>, 'deliveries' | 'refuse'>,
  compute: (r: AirReading) => AirAqi | null = computeAqi,
): PublishRecord<AirAqi>[] {
  const records: PublishRecord<AirAqi>[] = [];
  for (const d of batch.deliveries) {
    if (!d.event) continue;
    let aqi: AirAqi | null;
    try {
      aqi = compute(d.event.data);
    } catch (err) {
      batch.refuse(d, `AQI could not be computed: ${(err as Error).message}`);
      continue;
    }
    if (!aqi) continue;
    const event = makeEvent({
      type: EVENT_TYPES.airAqi,
      source: '/citystream/ingest/air/aqi',
      subject: aqi.stationId,
      id: `aqi/${aqi.stationId}/${aqi.time}`,
      time: aqi.time,
      data: aqi,
    });
    // Checked one by one: the bus refuses a whole publish for one invalid record. The event and
    // its data were made just above and nobody else holds them.
    const checked = validateOwnEvent(TOPICS.airAqi, event);
    if (!checked.ok) {
      const issues = checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      batch.refuse(d, `AQI event would be invalid: ${checked.reason}${issues ? ` (${issues})` : ''}`);
      continue;
    }
    // The checked event itself: the bus knows it and does not check it again.
    records.push({ key: aqi.stationId, event: checked.event as typeof event });
  }
  return records;
}
