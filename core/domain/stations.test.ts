import { describe, expect, it } from 'vitest';
import type { Queryable } from '../db/index.ts';
import { StationCache, type Station } from './stations.ts';

const station = (id: string, enabled = true): Station => ({
  id,
  name: id,
  city: 'shenzhen',
  lat: 22.54,
  lon: 114.06,
  enabled,
  names: {},
});

/** A registry table in memory that counts the reads and can be made slow or unreachable. */
function fakeDb(rows: Station[]) {
  const state = { rows, reads: 0, inFlight: 0, maxInFlight: 0, down: false, delayMs: 0 };
  const db = {
    async query() {
      state.reads++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
        if (state.down) throw new Error('connection refused');
        return { rows: state.rows.map((r) => ({ ...r })), rowCount: state.rows.length };
      } finally {
        state.inFlight--;
      }
    },
  } as unknown as Queryable;
  return { db, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('StationCache', () => {
  it('answers from memory while fresh, and reloads once it is older than the bound', async () => {
    const { db, state } = fakeDb([station('SZ-1')]);
    const cache = new StationCache(db, 10, 100);
    await cache.load();
    state.rows = [station('SZ-1', false)];
    await cache.ensure(['SZ-1']);
    expect(state.reads).toBe(1);
    expect(cache.get('SZ-1')?.enabled).toBe(true);
    await sleep(120);
    await cache.ensure([]);
    expect(state.reads).toBe(2);
    expect(cache.get('SZ-1')?.enabled).toBe(false);
    // A deleted station is gone from the cache after the next stale reload.
    state.rows = [];
    await sleep(120);
    await cache.ensure([]);
    expect(cache.get('SZ-1')).toBeUndefined();
  });

  it('runs at most one reload at a time however many readings ask', async () => {
    const { db, state } = fakeDb([station('SZ-1')]);
    const cache = new StationCache(db, 10, 50);
    await cache.load();
    await sleep(60);
    state.delayMs = 30;
    await Promise.all(Array.from({ length: 20 }, () => cache.ensure(['SZ-1'])));
    expect(state.maxInFlight).toBe(1);
    expect(state.reads).toBe(2);
  });

  it('keeps the last registry read when a stale reload fails; a miss still fails', async () => {
    const { db, state } = fakeDb([station('SZ-1')]);
    const cache = new StationCache(db, 10, 50);
    await cache.load();
    await sleep(60);
    state.down = true;
    await cache.ensure(['SZ-1']);
    expect(cache.get('SZ-1')).toBeDefined();
    await expect(cache.ensure(['SZ-2'])).rejects.toThrow('connection refused');
  });
});
