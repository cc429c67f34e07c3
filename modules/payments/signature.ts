// Provider webhook signatures, in the widely used `t=<unix seconds>,v1=<hex>` form: v1 is
// HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp bounds replays; the comparison is
// constant-time so the signature cannot be discovered byte by byte.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'citystream-signature';

export function signPayload(secret: string, body: Buffer | string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

export function verifySignature(
  secret: string,
  header: string | undefined,
  body: Buffer,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v) candidates.push(v);
  }
  if (timestamp === undefined || candidates.length === 0) {
    return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>` };
  }
  const expected = Buffer.from(signPayload(secret, body, timestamp).split('v1=')[1]!, 'hex');
  // Every candidate is compared (no early exit) so timing says nothing about which matched.
  let match = false;
  for (const c of candidates) {
    const given = Buffer.from(/^[0-9a-f]{64}$/i.test(c) ? c : '', 'hex');
    const same = given.length === expected.length && timingSafeEqual(given, expected);
    match = match || same;
  }
  if (!match) return { ok: false, reason: 'signature does not match the body' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: `timestamp outside the ${toleranceSeconds} s tolerance window (replay?)` };
  }
  return { ok: true, timestamp };
}
