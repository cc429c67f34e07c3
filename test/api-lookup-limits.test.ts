// Rate limits an attacker cannot sidestep: X-Forwarded-For counts only from a configured proxy, and
// fine and bill lookups are limited per user and per client IP at once, misses costing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyBackend, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

const backend = await anyBackend();
const FINE = '/v1/fines?plate=%E7%B2%A4B12345&engineNoSuffix=045128';
const NO_FINE = '/v1/fines?plate=%E7%B2%A4B99999&engineNoSuffix=000000';
const BILLS = '/v1/utilities/electricity/accounts/0755100200301/bills';

describe('X-Forwarded-For', () => {
  const spoofed = async (api: ApiHarness, n: number, xff: (i: number) => string) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push(
        (await api.call('GET', '/v1/incidents/categories', { headers: { 'x-forwarded-for': xff(i) } }))
          .status,
      );
    }
    return statuses;
  };

  describe('from a peer that is not a trusted proxy', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend, { CITYSTREAM_RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(() => api?.stop());

    it('does not reset the per-IP limit when the header changes', async () => {
      expect(await spoofed(api, 7, (i) => `203.0.113.${i + 1}`)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    });
  });

  describe('from a trusted proxy (CITYSTREAM_TRUSTED_PROXIES=loopback)', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend, {
        CITYSTREAM_RATE_LIMIT_PER_MINUTE: '5',
        CITYSTREAM_TRUSTED_PROXIES: 'loopback',
      });
    });
    afterAll(() => api?.stop());

    it('counts each forwarded client on its own', async () => {
      expect(await spoofed(api, 7, (i) => `203.0.113.${i + 1}`)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      expect(await spoofed(api, 7, () => '198.51.100.7')).toEqual([200, 200, 200, 200, 200, 429, 429]);
    });
  });
});

describe('fine and bill lookups (CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE=10)', () => {
  let api: ApiHarness;
  let ip = 0;
  /** A fresh client address for each call, as a botnet or a rotating proxy would give. */
  const fromNewIp = () => ({ 'x-forwarded-for': `192.0.2.${++ip}` });
  beforeAll(async () => {
    api = await startApi(backend, {
      CITYSTREAM_TRUSTED_PROXIES: '127.0.0.1,::1',
      CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE: '10',
    });
    await plantFixtures(api.db);
  });
  afterAll(() => api?.stop());

  it('limits one user across many IPs, with a 429 problem and Retry-After', async () => {
    const token = await api.token('rotating-ips');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<ApiHarness['call']>> | undefined;
    for (let i = 0; i < 12; i++) {
      last = await api.call('GET', i % 2 ? FINE : BILLS, { token, headers: fromNewIp() });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429, 429]);
    expect(last!.headers.get('content-type')).toContain('application/problem+json');
    expect(last!.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // One lookup refills in 6 s at 10 per minute.
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(6);
  });

  it('limits one IP across many users', async () => {
    const headers = { 'x-forwarded-for': '192.0.2.200' };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const token = await api.token(`rotating-user-${i}`);
      statuses.push((await api.call('GET', FINE, { token, headers })).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429, 429]);
  });

  it('charges a lookup that finds nothing five times a lookup that finds something', async () => {
    const token = await api.token('guesser');
    const statuses: number[] = [];
    // 10 = 1 miss (5) + 5 hits; the next one is refused.
    statuses.push((await api.call('GET', NO_FINE, { token, headers: fromNewIp() })).status);
    for (let i = 0; i < 6; i++)
      statuses.push((await api.call('GET', FINE, { token, headers: fromNewIp() })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // Two misses use the whole allowance.
    const other = await api.token('guesser-2');
    const unknownAccount = '/v1/utilities/electricity/accounts/0755999999999/bills';
    const misses = [];
    for (let i = 0; i < 3; i++)
      misses.push((await api.call('GET', unknownAccount, { token: other, headers: fromNewIp() })).status);
    expect(misses).toEqual([200, 200, 429]);
  });

  it('charges a payment with a wrong proof as a miss: payments are no way around the limit', async () => {
    const token = await api.token('payment-guesser');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const body = {
        kind: 'traffic_fine',
        targetId: 'fine1',
        plate: '粤B12345',
        engineNoSuffix: `00000${i}`,
      };
      statuses.push((await api.call('POST', '/v1/payments', { token, body, headers: fromNewIp() })).status);
    }
    expect(statuses).toEqual([404, 404, 429]);
  });

  it('does not limit staff', async () => {
    const staff = await api.token('counter-clerk', 'staff');
    const headers = { 'x-forwarded-for': '192.0.2.250' };
    for (let i = 0; i < 15; i++)
      expect((await api.call('GET', NO_FINE, { token: staff, headers })).status).toBe(200);
  });
});
