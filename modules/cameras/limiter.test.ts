import { describe, expect, it } from 'vitest';
import { ProcessLimiter } from './limiter.ts';

describe('ProcessLimiter', () => {
  it('never grants more than the limit, serves waiters in order, and drops aborted waiters', async () => {
    const limiter = new ProcessLimiter(2);
    const never = new AbortController().signal;
    expect(await limiter.acquire(never)).toBe(true);
    expect(await limiter.acquire(never)).toBe(true);
    const order: string[] = [];
    const gone = new AbortController();
    const a = limiter.acquire(never).then((ok) => order.push(`a:${ok}`));
    const b = limiter.acquire(gone.signal).then((ok) => order.push(`b:${ok}`));
    const c = limiter.acquire(never).then((ok) => order.push(`c:${ok}`));
    expect(limiter.queued).toBe(3);
    gone.abort();
    await b;
    limiter.release();
    limiter.release();
    await Promise.all([a, c]);
    expect(order).toEqual(['b:false', 'a:true', 'c:true']);
    expect(limiter.active).toBe(2);
  });
});
