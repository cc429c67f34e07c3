import { describe, expect, it } from 'vitest';
import type { TopicDelivery } from '../../core/bus/index.ts';

type ReadingDelivery = TopicDelivery<'air.readings.v1'>;
import { EVENT_TYPES, makeEvent, type AirAqi, type AirReading } from '../../core/events/index.ts';
import { aqiRecords } from './aqi-processor.ts';
import { computeAqi } from '../../core/domain/aqi.ts';

const delivery = (pm25: number, offset: number): ReadingDelivery => {
  const data: AirReading = { stationId: 'GZ-0001', city: 'guangzhou', time: '2026-11-24T08:00:00Z', pm25 };
  return {
    topic: 'air.readings.v1',
    partition: 0,
    offset: String(offset),
    pos: `0:${offset}`,
    key: 'GZ-0001',
    event: makeEvent({ type: EVENT_TYPES.airReading, source: 'test', data }),
    value: null,
    timestamp: Date.now(),
    headers: {},
  };
};

describe('aqiRecords', () => {
  const batchOf = (deliveries: ReadingDelivery[]) => {
    const refused: [string, string][] = [];
    return {
      deliveries,
      refused,
      refuse: (d: ReadingDelivery, reason: string) => void refused.push([d.offset, reason]),
    };
  };

  it('publishes the valid indices and refuses a reading whose AQI is NaN or throws, naming why', () => {
    const batch = batchOf([delivery(10, 0), delivery(20, 1), delivery(30, 2)]);
    const compute = (r: AirReading): AirAqi | null => {
      const aqi = computeAqi(r)!;
      if (r.pm25 === 20) return { ...aqi, us: { ...aqi.us, aqi: Number.NaN } };
      if (r.pm25 === 30) throw new RangeError('Invalid time value');
      return aqi;
    };
    const records = aqiRecords(batch, compute);
    expect(records).toHaveLength(1);
    expect(records[0]!.event!.data.cn.iaqi.pm25).toBe(15);
    expect(batch.refused).toEqual([
      ['1', expect.stringMatching(/AQI event would be invalid: .*data\.us\.aqi/) as unknown],
      ['2', 'AQI could not be computed: Invalid time value'],
    ]);
  });
});
