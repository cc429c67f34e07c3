import { describe, expect, it } from 'vitest';
import { WriteRefusedError, type Point, type TimeSeriesStore } from '../../core/timeseries/index.ts';
import { writeNarrowing } from './sink.ts';

/** A store that refuses any request holding a point with field `bad`, as InfluxDB refuses a request. */
function refusingStore(transientFailures = 0) {
  const stored: number[] = [];
  let requests = 0;
  let failures = transientFailures;
  const store = {
    async write(points: Point[]) {
      requests++;
      if (failures-- > 0) throw new Error('connect ECONNREFUSED');
      if (points.some((p) => 'bad' in p.fields)) throw new WriteRefusedError('field type conflict', 422);
      stored.push(...points.map((p) => p.fields.v!));
    },
  } as unknown as TimeSeriesStore;
  return { store, stored, requests: () => requests };
}

const pts = (bad: number[], n: number): Point[] =>
  Array.from({ length: n }, (_, i): Point => {
    const fields: Record<string, number> = bad.includes(i) ? { bad: i } : { v: i };
    return { measurement: 'air', tags: {}, fields, time: new Date(i) };
  });

describe('writeNarrowing', () => {
  it('stores every point but the refused ones and names those, in few requests', async () => {
    const { store, stored, requests } = refusingStore();
    const refused = await writeNarrowing(store, pts([3, 40], 64));
    expect([...refused.keys()].sort((a, b) => a - b)).toEqual([3, 40]);
    expect(refused.get(3)).toMatch(/field type conflict/);
    expect(stored.sort((a, b) => a - b)).toEqual([...Array(64).keys()].filter((i) => i !== 3 && i !== 40));
    expect(requests()).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(64));
  });

  it('throws a transient failure instead of refusing anything', async () => {
    const { store, stored } = refusingStore(1);
    await expect(writeNarrowing(store, pts([], 4))).rejects.toThrow('ECONNREFUSED');
    expect(stored).toEqual([]);
  });
});
