import { describe, expect, it } from 'vitest';
import { formatCursor, parseCursor } from './client/cursor.ts';
import { History, type Entry } from './history.ts';

const A = 'air.readings.v1/0';
const B = 'air.readings.v1/1';
const entry = (tp: string, offset: number): Entry => ({
  tp,
  offset,
  key: 'k',
  frame: Buffer.from(`${tp}@${offset}`),
});

/** A history reading A and B from offset 0, fed `events` ([tp, offset, time]) on channel `ch`. */
function historyWith(events: [string, number, number][], size = 100, maxAgeMs = 60_000): History {
  const h = new History(size, maxAgeMs);
  h.startPartition('air.readings.v1', 0, 0);
  h.startPartition('air.readings.v1', 1, 0);
  for (const [tp, offset, time] of events) {
    h.append('ch', entry(tp, offset));
    h.advance(tp, offset, time);
  }
  return h;
}

const replayed = (r: { replay: Entry[] }) => r.replay.map((e) => `${e.tp}@${e.offset}`);

describe('History.recover', () => {
  it('cuts a replay over the byte budget to recovered:false, keeping the live cursor', () => {
    const h = historyWith([
      [A, 0, 1000],
      [A, 1, 1000],
      [A, 2, 1000],
    ]);
    const frame = entry(A, 0).frame.length;
    const fits = h.recover('ch', [A], parseCursor(`${A}:0`), 2 * frame);
    expect(fits).toMatchObject({ recovered: true, cut: false });
    expect(replayed(fits)).toEqual([`${A}@1`, `${A}@2`]);
    const over = h.recover('ch', [A], parseCursor(`${A}:0`), 2 * frame - 1);
    expect(over).toMatchObject({ recovered: false, cut: true, replay: [] });
    expect(formatCursor(over.cursor)).toBe(`${A}:2`);
  });

  it('replays exactly what follows the cursor on each partition, in arrival order', () => {
    const h = historyWith([
      [A, 0, 1000],
      [B, 0, 1000],
      [A, 1, 1000],
      [B, 1, 1000],
      [A, 2, 1000],
    ]);
    const r = h.recover('ch', [A, B], parseCursor(`${A}:0,${B}:1`));
    expect(r.recovered).toBe(true);
    expect(replayed(r)).toEqual([`${A}@1`, `${A}@2`]);
    expect(formatCursor(r.cursor)).toBe(`${A}:2,${B}:1`);
    expect(r.skip).toBeNull();
  });

  it('is not recovered when the cursor misses a partition that feeds the channel', () => {
    const h = historyWith([[A, 0, 1000]]);
    expect(h.recover('ch', [A, B], parseCursor(`${A}:0`)).recovered).toBe(false);
  });

  it('is not recovered once the count limit dropped an event the client had not seen', () => {
    const h = historyWith(
      [
        [A, 0, 1000],
        [A, 1, 1000],
        [A, 2, 1000],
      ],
      2,
    );
    expect(h.recover('ch', [A, B], parseCursor(`${A}:-1,${B}:-1`)).recovered).toBe(false);
    const r = h.recover('ch', [A, B], parseCursor(`${A}:0,${B}:-1`));
    expect(r.recovered).toBe(true);
    expect(replayed(r)).toEqual([`${A}@1`, `${A}@2`]);
  });

  it('drops events older than the age limit and then refuses cursors before them', () => {
    const h = historyWith(
      [
        [A, 0, 1_000],
        [A, 1, 50_000],
        [A, 2, 90_000],
      ],
      100,
      60_000,
    );
    h.sweep(100_000); // cutoff 40 s: offset 0 goes
    expect(h.recover('ch', [A, B], parseCursor(`${A}:-1,${B}:-1`)).recovered).toBe(false);
    expect(replayed(h.recover('ch', [A, B], parseCursor(`${A}:0,${B}:-1`)))).toEqual([`${A}@1`, `${A}@2`]);
    expect(h.stats().events).toBe(2);
  });

  it('does not vouch for offsets before the gateway started reading', () => {
    const h = new History(100, 60_000);
    h.startPartition('air.readings.v1', 0, 500);
    h.startPartition('air.readings.v1', 1, 0);
    expect(h.recover('ch', [A, B], parseCursor(`${A}:498,${B}:-1`)).recovered).toBe(false);
    expect(h.recover('ch', [A, B], parseCursor(`${A}:499,${B}:-1`)).recovered).toBe(true);
  });

  it('skips live events a client already got from a gateway that was ahead', () => {
    const h = historyWith([[A, 0, 1000]]);
    const r = h.recover('ch', [A, B], parseCursor(`${A}:5,${B}:-1`));
    expect(r.recovered).toBe(true);
    expect(r.replay).toEqual([]);
    expect(r.skip).toEqual(new Map([[A, 5]]));
    expect(formatCursor(r.cursor)).toBe(`${A}:5,${B}:-1`);
  });

  it('starts live at the head without a cursor', () => {
    const h = historyWith([[A, 3, 1000]]);
    const r = h.recover('ch', [A, B], null);
    expect(r).toMatchObject({ recovered: true, replay: [], skip: null });
    expect(formatCursor(r.cursor)).toBe(`${A}:3,${B}:-1`);
  });
});

describe('cursors', () => {
  it('parse the vector form and a bare pos for single-topic channels', () => {
    expect(parseCursor('camera.status.v1/2:7,camera.snapshots.v1/2:9')).toEqual(
      new Map([
        ['camera.status.v1/2', 7],
        ['camera.snapshots.v1/2', 9],
      ]),
    );
    expect(parseCursor('3:10452', 'air.readings.v1')).toEqual(new Map([['air.readings.v1/3', 10452]]));
    expect(parseCursor('3:10452')).toBeNull();
    expect(parseCursor('yesterday')).toBeNull();
    expect(parseCursor('')).toBeNull();
  });
});
