// Edge cases of batching that the store contract cannot provoke on demand: a failing store, a
// full buffer, a deadline, closing with writes in flight.
import { describe, expect, it } from 'vitest';
import { Batcher, DEFAULT_BATCHER_OPTIONS } from './batcher.ts';
import { WriteRefusedError } from './refused.ts';
import type { Point } from './types.ts';

const points = (n: number, from = 0): Point[] =>
  Array.from({ length: n }, (_, i) => ({
    measurement: 'm',
    tags: {},
    fields: { v: from + i },
    time: new Date(from + i),
  }));

describe('Batcher', () => {
  it('gathers concurrent writes into batches of at most batchSize and resolves each once sent', async () => {
    const sent: number[] = [];
    const b = new Batcher(async (p) => void sent.push(p.length), {
      ...DEFAULT_BATCHER_OPTIONS,
      batchSize: 100,
      lingerMs: 5,
    });
    await Promise.all([b.write(points(30)), b.write(points(30)), b.write(points(250))]);
    expect(sent.reduce((a, n) => a + n, 0)).toBe(310);
    expect(Math.max(...sent)).toBeLessThanOrEqual(100);
    expect(sent.length).toBeLessThan(6); // not one request per write
    await b.close();
  });

  it('retries a failing store until it takes the points, and holds new writes while the buffer is full', async () => {
    let failures = 3;
    const stored: number[] = [];
    const b = new Batcher(
      async (p) => {
        if (failures-- > 0) throw new Error('store down');
        stored.push(...p.map((x) => x.fields.v!));
      },
      { ...DEFAULT_BATCHER_OPTIONS, batchSize: 10, maxBuffered: 10, retryBaseMs: 5, retryMaxMs: 10 },
    );
    const first = b.write(points(10));
    let secondDone = false;
    const second = b.write(points(5, 100)).then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(secondDone).toBe(false); // waiting for room, not buffered beyond the bound
    await first;
    await second;
    expect(stored).toEqual([...points(10), ...points(5, 100)].map((p) => p.fields.v));
    await b.close();
  });

  it('rejects a write not acknowledged within writeTimeoutMs, and refuses writes after close', async () => {
    const b = new Batcher(() => Promise.reject(new Error('store down')), {
      ...DEFAULT_BATCHER_OPTIONS,
      writeTimeoutMs: 100,
      retryBaseMs: 10,
      retryMaxMs: 20,
    });
    const t0 = Date.now();
    await expect(b.write(points(3))).rejects.toThrow('store down');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await b.close();
    await expect(b.write(points(1))).rejects.toThrow(/closed/);
  });

  it('does not retry a write the store refuses: every caller of that request hears it at once', async () => {
    let sends = 0;
    const b = new Batcher(
      async () => {
        sends++;
        throw new WriteRefusedError('field type conflict', 422);
      },
      { ...DEFAULT_BATCHER_OPTIONS, writeTimeoutMs: 10_000, retryBaseMs: 5, retryMaxMs: 10 },
    );
    const t0 = Date.now();
    const results = await Promise.allSettled([b.write(points(2)), b.write(points(3, 10))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WriteRefusedError);
    expect(sends).toBe(1);
    expect(Date.now() - t0).toBeLessThan(1_000); // not held until the 10 s deadline
    await b.close();
  });
});
