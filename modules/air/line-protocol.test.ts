import { describe, expect, it } from 'vitest';
import { lineToReading, parseLine, toEpochMs } from './line-protocol.ts';

describe('line protocol', () => {
  it('parses tags, typed fields, escapes and the timestamp', () => {
    expect(
      parseLine(
        'air\\ quality,stationId=GZ-0001,site=Guangya\\ School pm25=35.2,no2=40i,ok=t,note="a \\"b\\", c" 1795507200000000000',
      ),
    ).toEqual({
      measurement: 'air quality',
      tags: { stationId: 'GZ-0001', site: 'Guangya School' },
      fields: { pm25: 35.2, no2: 40, ok: true, note: 'a "b", c' },
      timestamp: 1795507200000000000n,
    });
  });

  it('reads plain lines (no escapes, no quotes) as the general scanner does', () => {
    expect(parseLine('air,a=1,b=x=y  p=1,q=-.5e3,r=2u,s=TRUE  7')).toEqual({
      measurement: 'air',
      tags: { a: '1', b: 'x=y' },
      fields: { p: 1, q: -500, r: 2, s: true },
      timestamp: 7n,
    });
    expect(() => parseLine('air pm25=1,,no2=2')).toThrow(/field "": expected key=value/);
    expect(() => parseLine('air pm25=1.2.3')).toThrow(/"1.2.3" is not a valid field value/);
    expect(() => parseLine('air pm25="x y')).toThrow(/unterminated string field value/);
  });

  it('reports what is wrong with a bad line', () => {
    expect(() => parseLine('air pm25=abc')).toThrow(/"abc" is not a valid field value/);
    expect(() => parseLine('air')).toThrow(/expected "measurement/);
    expect(() => parseLine('air pm25=1 12x')).toThrow(/timestamp "12x" is not an integer/);
    expect(() => parseLine('air,stationId pm25=1')).toThrow(/expected key=value/);
  });

  it('converts every precision to milliseconds and maps fields to a reading', () => {
    expect(toEpochMs(1795507200123456789n, 'ns')).toBe(1795507200123);
    expect(toEpochMs(1795507200123456n, 'us')).toBe(1795507200123);
    expect(toEpochMs(1795507200n, 's')).toBe(1795507200000);
    const line = parseLine('air,station=SZ-0001 pm2_5=12,temp=21.5,rh=60,uptime=5i 1795507200');
    expect(lineToReading(line, 's', 0)).toEqual({
      stationId: 'SZ-0001',
      time: 1795507200000,
      pm25: 12,
      temperature: 21.5,
      humidity: 60,
    });
  });
});
