// The AQI processor: a consumer group on air.readings.v1 that computes both indices for every
// reading with a pollutant and publishes them to air.aqi.v1 (keyed by station). Offsets are
// committed after the publish is acknowledged; a replay re-publishes with the same event id.
import type { Consumer } from '../../core/bus/index.ts';
import { EVENT_TYPES, makeEvent, TOPICS, type AirReading } from '../../core/events/index.ts';
import type { HubContext } from '../../core/runtime/context.ts';
import { computeAqi } from '../../core/domain/aqi.ts';

export async function startAqiProcessor(ctx: HubContext): Promise<Consumer> {
  return ctx.bus.consume({
    mode: 'group',
    groupId: 'air-aqi',
    topics: [TOPICS.airReadings.name],
    handler: async (batch) => {
      const records = [];
      for (const d of batch.deliveries) {
        const aqi = d.event ? computeAqi(d.event.data as AirReading) : null;
        if (!aqi) continue;
        records.push({
          key: aqi.stationId,
          event: makeEvent({
            type: EVENT_TYPES.airAqi,
            source: '/citystream/ingest/air/aqi',
            subject: aqi.stationId,
            id: `aqi/${aqi.stationId}/${aqi.time}`,
            time: aqi.time,
            data: aqi,
          }),
        });
      }
      if (records.length > 0) await ctx.bus.publish(TOPICS.airAqi.name, records);
    },
  });
}
