import { describe, expect, it } from 'vitest';
import type { AirAqi, AirReading } from '../../core/events/index.ts';
import { computeAqi } from '../../core/domain/aqi.ts';
import { vouchedFor } from '../../core/events/validate.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import { aqiRecord } from './aqi-event.ts';

const reading = (pm25?: number): AirReading => ({
  stationId: 'GZ-0001',
  city: 'guangzhou',
  time: '2026-11-24T08:00:00Z',
  ...(pm25 === undefined ? { temperature: 21 } : { pm25 }),
});

describe('aqiRecord', () => {
  it('makes the checked air.aqi.v1 record of a reading, keyed and identified by station and time', () => {
    const out = aqiRecord(reading(10));
    expect(out).toMatchObject({ ok: true, record: { key: 'GZ-0001' } });
    const event = out!.ok ? out!.record.event! : null;
    expect(event?.id).toBe('aqi/GZ-0001/2026-11-24T08:00:00Z');
    expect(event?.data.cn.iaqi.pm25).toBe(15);
    // Marked as checked for its topic: the bus does not check it again.
    expect(vouchedFor(TOPICS.airAqi, event)).toBe(true);
  });

  it('has nothing to publish for a reading without a pollutant the indices use', () => {
    expect(aqiRecord(reading())).toBeNull();
  });

  it('says why when the AQI is NaN or its computation throws', () => {
    const nan = (r: AirReading): AirAqi => {
      const aqi = computeAqi(r)!;
      return { ...aqi, us: { ...aqi.us, aqi: Number.NaN } };
    };
    expect(aqiRecord(reading(20), nan)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^AQI event would be invalid: .*data\.us\.aqi/) as unknown,
    });
    const throws = () => {
      throw new RangeError('Invalid time value');
    };
    expect(aqiRecord(reading(30), throws)).toEqual({
      ok: false,
      reason: 'AQI could not be computed: Invalid time value',
    });
  });
});
