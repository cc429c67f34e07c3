import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.ts';

const secret = 'x'.repeat(40);
const body = Buffer.from('{"id":"evt_1"}');

describe('webhook signature', () => {
  it('accepts a fresh signature over the exact body', () => {
    const now = 1_800_000_000;
    expect(verifySignature(secret, signPayload(secret, body, now), body, 300, now + 10)).toEqual({
      ok: true,
      timestamp: now,
    });
  });
  it('refuses a changed body, another secret, a stale timestamp and garbage', () => {
    const now = 1_800_000_000;
    const header = signPayload(secret, body, now);
    expect(verifySignature(secret, header, Buffer.from('{"id":"evt_2"}'), 300, now).ok).toBe(false);
    expect(verifySignature('y'.repeat(40), header, body, 300, now).ok).toBe(false);
    expect(verifySignature(secret, header, body, 300, now + 301)).toMatchObject({
      ok: false,
      reason: /tolerance/,
    });
    expect(verifySignature(secret, 't=abc,v1=zz', body, 300, now).ok).toBe(false);
    expect(verifySignature(secret, undefined, body, 300, now).ok).toBe(false);
  });
});
