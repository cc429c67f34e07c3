import { describe, expect, it } from 'vitest';
import { DecodeShare } from './decode-share.ts';
import type { Decoded } from './records.ts';

const decoded = (n: number): Decoded => ({ ok: true, event: null, n }) as unknown as Decoded;

describe('decoded records shared between the consumers of one bus', () => {
  it('decodes a record once for three readers, each of which gets the same result once', () => {
    const share = new DecodeShare();
    let decodes = 0;
    const decode = () => decoded(++decodes);
    const results = [1, 2, 3].map(() => share.decode('t/0/5/1000', 3, decode));
    expect(decodes).toBe(1);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(share.size).toBe(0);
    // A fourth read (a re-delivery) decodes again.
    share.decode('t/0/5/1000', 3, decode);
    expect(decodes).toBe(2);
  });

  it('keeps nothing for a topic with one reader', () => {
    const share = new DecodeShare();
    share.decode('t/0/1/1', 1, () => decoded(1));
    expect(share.size).toBe(0);
  });

  it('holds at most its bound of entries nobody took, dropping the oldest', () => {
    const share = new DecodeShare(100);
    for (let i = 0; i < 1_000; i++) share.decode(`t/0/${i}/1`, 2, () => decoded(i));
    expect(share.size).toBe(100);
    let decodes = 0;
    share.decode('t/0/0/1', 2, () => decoded(++decodes));
    expect(decodes).toBe(1);
    share.decode('t/0/999/1', 2, () => decoded(++decodes));
    expect(decodes).toBe(1);
  });
});
