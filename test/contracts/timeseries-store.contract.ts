// One suite for both time-series adapters: the InfluxDB adapter and the embedded one must give
// the same answers to the same writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point, TimeSeriesStore } from '../../core/timeseries/types.ts';

const T0 = Date.parse('2026-11-24T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

export function timeSeriesContract(
  label: string,
  open: () => Promise<{ store: TimeSeriesStore; cleanup?: () => Promise<void> }>,
) {
  describe(`time-series contract: ${label}`, () => {
    let store: TimeSeriesStore;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.health();
      // Two stations in two cities, one reading a minute for an hour; GZ has pm25 and no2.
      const points: Point[] = [];
      for (let m = 0; m < 60; m++) {
        points.push({
          measurement: 'air',
          tags: { stationId: 'GZ-0001', city: 'guangzhou' },
          fields: { pm25: m, no2: 100 - m },
          time: at(m),
        });
        points.push({
          measurement: 'air',
          tags: { stationId: 'SZ-0001', city: 'shenzhen' },
          fields: { pm25: 2 * m },
          time: at(m),
        });
      }
      // Concurrent writes are batched together and each resolves once stored.
      await Promise.all([store.write(points.slice(0, 50)), store.write(points.slice(50))]);
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('returns raw points in a range [from, to) per series, fields merged per time', async () => {
      const rows = await store.range({
        measurement: 'air',
        tags: { stationId: 'GZ-0001' },
        from: at(10),
        to: at(13),
      });
      expect(rows).toEqual(
        [10, 11, 12].map((m) => ({
          time: at(m),
          tags: { stationId: 'GZ-0001', city: 'guangzhou' },
          fields: { pm25: m, no2: 100 - m },
        })),
      );
    });

    it('aggregates over windows aligned to the epoch (mean, min, max), only the asked fields', async () => {
      const q = {
        measurement: 'air',
        tags: { city: 'guangzhou' },
        from: at(0),
        to: at(30),
        everyMs: 10 * 60_000,
        fields: ['pm25'],
      };
      const mean = await store.range(q);
      expect(mean.map((r) => [r.time, r.fields])).toEqual([
        [at(0), { pm25: 4.5 }],
        [at(10), { pm25: 14.5 }],
        [at(20), { pm25: 24.5 }],
      ]);
      expect((await store.range({ ...q, aggregate: 'max' })).map((r) => r.fields.pm25)).toEqual([9, 19, 29]);
      expect((await store.range({ ...q, aggregate: 'min' })).map((r) => r.fields.pm25)).toEqual([0, 10, 20]);
      // A range starting inside a window: the first window starts at `from`.
      const cut = await store.range({ ...q, from: at(5), to: at(20) });
      expect(cut.map((r) => [r.time, r.fields.pm25])).toEqual([
        [at(5), 7],
        [at(10), 14.5],
      ]);
    });

    it('returns the latest sample of every matching series', async () => {
      const rows = await store.latest('air', {});
      expect(rows).toEqual([
        { time: at(59), tags: { stationId: 'GZ-0001', city: 'guangzhou' }, fields: { pm25: 59, no2: 41 } },
        { time: at(59), tags: { stationId: 'SZ-0001', city: 'shenzhen' }, fields: { pm25: 118 } },
      ]);
      expect(await store.latest('air', { stationId: 'SZ-0001' }, ['no2'])).toEqual([]);
      expect(await store.latest('air', { stationId: 'NOPE' })).toEqual([]);
    });

    it('stores a re-delivered point once: same series and time replaces the value', async () => {
      const tags = { stationId: 'FS-0001', city: 'foshan' };
      await store.write([{ measurement: 'dup', tags, fields: { pm25: 1 }, time: at(0) }]);
      await store.write([
        { measurement: 'dup', tags, fields: { pm25: 2 }, time: at(0) },
        { measurement: 'dup', tags, fields: { pm25: 3 }, time: at(0) },
      ]);
      const rows = await store.range({ measurement: 'dup', tags, from: at(-1), to: at(1) });
      expect(rows).toEqual([{ time: at(0), tags, fields: { pm25: 3 } }]);
    });

    // InfluxDB drops by shard group: the old point is a month back, outside any group written so far.
    it('drops samples beyond the retention period and keeps recent ones', async () => {
      const tags = { stationId: 'RT-0001' };
      const now = Date.now();
      await store.retention(3_600_000);
      await store.write([
        { measurement: 'ret', tags, fields: { v: 1 }, time: new Date(now - 30 * 86_400_000) },
        { measurement: 'ret', tags, fields: { v: 2 }, time: new Date(now - 60_000) },
      ]);
      const rows = await store.range({
        measurement: 'ret',
        tags,
        from: new Date(now - 31 * 86_400_000),
        to: new Date(now),
      });
      expect(rows.map((r) => r.fields.v)).toEqual([2]);
    });

    it('rejects names that are not safe identifiers and values that are not finite', async () => {
      await expect(
        store.write([{ measurement: 'air', tags: { 'bad tag': 'x' }, fields: { v: 1 }, time: at(0) }]),
      ).rejects.toThrow(/invalid tag name/);
      await expect(
        store.write([{ measurement: 'air', tags: {}, fields: { v: Number.NaN }, time: at(0) }]),
      ).rejects.toThrow(/not a finite number/);
    });
  });
}
