// The lookup limiter on its own clock: refill, all-or-nothing admission, bounded memory.
import { describe, expect, it } from 'vitest';
import { LookupLimiter } from './lookup-limit.ts';

describe('lookup limiter', () => {
  it('refills at the per-minute rate and says how long to wait', () => {
    let now = 0;
    const limiter = new LookupLimiter({ perMinute: 6, now: () => now });
    for (let i = 0; i < 6; i++) expect(limiter.tryTake(['u']).ok).toBe(true);
    expect(limiter.tryTake(['u'])).toEqual({ ok: false, retryAfter: 10 });
    now += 10_000;
    expect(limiter.tryTake(['u']).ok).toBe(true);
  });

  it('takes from every key or from none', () => {
    const limiter = new LookupLimiter({ perMinute: 2, now: () => 0 });
    const first = limiter.tryTake(['user:a', 'ip:1']);
    if (!first.ok) throw new Error('expected admission');
    first.charge('miss'); // both buckets now in debt
    expect(limiter.tryTake(['user:b', 'ip:1']).ok).toBe(false);
    // user:b was not charged by the refused attempt.
    expect(limiter.tryTake(['user:b', 'ip:2']).ok).toBe(true);
  });

  it('keeps at most maxKeys buckets: 200 000 callers held in 10 000, within 3 s', () => {
    let now = 0;
    const limiter = new LookupLimiter({ perMinute: 30, now: () => now, maxKeys: 10_000 });
    let largest = 0;
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) {
      now += 1;
      const r = limiter.tryTake([`ip:${i}`]);
      if (r.ok) r.charge('miss');
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(10_000);
    expect(performance.now() - t0).toBeLessThan(3_000);
  });
});
