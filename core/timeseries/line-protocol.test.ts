import { Point as ClientPoint } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { toLine } from './line-protocol.ts';
import type { Point } from './types.ts';

/** What the InfluxDB client's own Point class writes for the same point (ms timestamps). */
function clientLine(p: Point): string | undefined {
  const lp = new ClientPoint(p.measurement).timestamp(String(p.time.getTime()));
  for (const [k, v] of Object.entries(p.tags)) lp.tag(k, v);
  for (const [k, v] of Object.entries(p.fields)) lp.floatField(k, v);
  return lp.toLineProtocol();
}

describe('points as line protocol', () => {
  it('writes what the InfluxDB client writes, escapes and order included', () => {
    const time = new Date('2026-12-06T08:00:00.123Z');
    const points: Point[] = [
      {
        measurement: 'air',
        tags: { stationId: 'GZ-0001', city: 'guangzhou' },
        fields: { pm25: 35.2, no2: 40 },
        time,
      },
      {
        measurement: 'air',
        tags: { stationId: 'a b,c=d\ne\rf\tg', city: '', zone: '=' },
        fields: { z: -0, a: 1e21, m: 1.5e-7, b: -12 },
        time: new Date(-5),
      },
      { measurement: 'camera_metrics', tags: {}, fields: { fps: 25 }, time },
      { measurement: 'air', tags: { stationId: 'GZ-1' }, fields: {}, time },
    ];
    for (const p of points) expect(toLine(p) ?? undefined).toBe(clientLine(p));
    expect(toLine(points[1]!)).toBe(
      'air,stationId=a\\ b\\,c\\=d\\ne\\rf\\tg,zone=\\= a=1e+21,b=-12,m=1.5e-7,z=0 -5',
    );
  });
});
