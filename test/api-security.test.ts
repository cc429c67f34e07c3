/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// Who may see and do what, and what the HTTP edge enforces: owners only for bookings and
// payments (every such route), staff-only incident workflow, security headers, CORS, rate and
// body limits, problem+json errors that never leak internals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

for (const backend of await backends()) {
  describe(`security on ${backend.name}`, () => {
    let api: ApiHarness;
    let alice: string;
    let bob: string;
    let staff: string;
    let appointmentId: string;
    let ticketId: string;
    let paymentId: string;

    beforeAll(async () => {
      api = await startApi(backend, { CITYSTREAM_CORS_ORIGINS: 'https://city.example' });
      await plantFixtures(api.db, { seats: 4 });
      [alice, bob, staff] = await Promise.all([
        api.token('alice'),
        api.token('bob'),
        api.token('officer', 'staff'),
      ]);
      const apt = await api.call('POST', '/v1/appointments', {
        token: alice,
        body: {
          slotId: 'slot1',
          patient: { name: 'Alice', idNumber: '440301199001011111', phone: '13800000001' },
        },
      });
      appointmentId = apt.body.id;
      const tkt = await api.call('POST', '/v1/transport/tickets', {
        token: alice,
        body: { departureId: 'dep1', count: 1, passenger: { name: 'Alice', idNumber: '440301199001011111' } },
      });
      ticketId = tkt.body.id;
      const pay = await api.call('POST', '/v1/payments', {
        token: alice,
        body: { kind: 'ticket', targetId: ticketId },
      });
      paymentId = pay.body.id;
      expect([apt.status, tkt.status, pay.status]).toEqual([201, 201, 201]);
    });
    afterAll(() => api?.stop());

    it('shows bookings and payments to their owner and staff only, on every route', async () => {
      const reads = [
        `/v1/appointments/${appointmentId}`,
        `/v1/transport/tickets/${ticketId}`,
        `/v1/payments/${paymentId}`,
      ];
      for (const path of reads) {
        expect((await api.call('GET', path, { token: alice })).status, path).toBe(200);
        const other = await api.call('GET', path, { token: bob });
        expect(other.status, path).toBe(404);
        expect(JSON.stringify(other.body)).not.toContain('Alice');
        expect((await api.call('GET', path, { token: staff })).status, path).toBe(200);
        expect((await api.call('GET', path)).status, path).toBe(401);
      }
      for (const path of ['/v1/appointments', '/v1/transport/tickets', '/v1/payments']) {
        expect((await api.call('GET', path, { token: alice })).body.items, path).toHaveLength(1);
        expect((await api.call('GET', path, { token: bob })).body.items, path).toEqual([]);
        expect((await api.call('GET', path)).status, path).toBe(401);
      }
      const writes = [
        `/v1/appointments/${appointmentId}/cancel`,
        `/v1/transport/tickets/${ticketId}/cancel`,
        `/v1/payments/${paymentId}/confirm`,
      ];
      for (const path of writes) {
        expect((await api.call('POST', path, { token: bob })).status, path).toBe(404);
        expect((await api.call('POST', path)).status, path).toBe(401);
      }
      // Nobody pays (and so learns the amount of) someone else's booking.
      const foreign = await api.call('POST', '/v1/payments', {
        token: bob,
        body: { kind: 'appointment', targetId: appointmentId },
      });
      expect(foreign.status).toBe(404);
      // Nothing changed for Alice.
      expect((await api.call('GET', `/v1/appointments/${appointmentId}`, { token: alice })).body.status).toBe(
        'booked',
      );
      expect((await api.call('GET', `/v1/payments/${paymentId}`, { token: alice })).body.status).toBe(
        'requires_confirmation',
      );
    });

    it('lets only staff move incidents through the workflow, and hides reporter contact from the public', async () => {
      const created = await api.call('POST', '/v1/incidents', {
        token: alice,
        body: {
          category: 'broken_traffic_light',
          lat: 22.54,
          lon: 114.06,
          description: 'Signal dark at Shennan / Caitian',
          reporter: { phone: '13800000001' },
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect((await api.call('GET', `/v1/incidents/${id}`)).body.reporter).toBeUndefined();
      expect((await api.call('GET', `/v1/incidents/${id}`, { token: alice })).body.reporter.phone).toBe(
        '13800000001',
      );
      expect((await api.call('GET', `/v1/incidents/${id}`, { token: staff })).body.reporter.phone).toBe(
        '13800000001',
      );
      expect(
        (await api.call('PATCH', `/v1/incidents/${id}`, { token: alice, body: { status: 'resolved' } }))
          .status,
      ).toBe(403);
      expect((await api.call('PATCH', `/v1/incidents/${id}`, { body: { status: 'resolved' } })).status).toBe(
        401,
      );
    });

    it('sends security headers and a CSP that allows the same-origin dashboard', async () => {
      const res = await api.call('GET', '/v1/hospitals');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age/);
      const csp = res.headers.get('content-security-policy')!;
      for (const d of [
        "default-src 'self'",
        "script-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp).toContain(d);
      }
    });

    it('answers CORS for configured origins only', async () => {
      const preflight = (origin: string) =>
        fetch(`${api.url}/v1/payments`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,idempotency-key',
          },
        });
      const allowed = await preflight('https://city.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://city.example');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/i);
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses oversized and malformed bodies with problem+json and field errors', async () => {
      const big = await api.call('POST', '/v1/appointments', {
        token: alice,
        body: JSON.stringify({ pad: 'x'.repeat(2_000_000) }),
      });
      expect(big.status).toBe(413);
      expect(big.headers.get('content-type')).toContain('application/problem+json');
      const bad = await api.call('POST', '/v1/appointments', { token: alice, body: '{"slotId":' });
      expect(bad.status).toBe(400);
      const invalid = await api.call('POST', '/v1/appointments', {
        token: alice,
        body: { slotId: 'slot1', patient: { name: 'A', idNumber: '12', phone: 'call me' } },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'patient.idNumber',
        'patient.phone',
      ]);
      const forged = await api.call('GET', '/v1/appointments', { token: `${alice.slice(0, -4)}AAAA` });
      expect(forged.status).toBe(401);
    });

    it('never leaks internals in a 500', async () => {
      await api.db.exec('ALTER TABLE hospitals RENAME TO hospitals_moved');
      try {
        const res = await api.call('GET', '/v1/hospitals?city=shenzhen');
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.detail).toMatch(/unexpected error; quote request id/);
        // Only the problem members and the machine code: no query, no stack.
        expect(Object.keys(res.body).sort()).toEqual([
          'code',
          'detail',
          'instance',
          'status',
          'title',
          'type',
        ]);
        expect(res.body.code).toMatch(/^[a-z_]+$/);
        expect(JSON.stringify(res.body)).not.toMatch(/relation|does not exist|SELECT|stack|42P01/i);
      } finally {
        await api.db.exec('ALTER TABLE hospitals_moved RENAME TO hospitals');
      }
    });
  });
}

describe('rate limits', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi((await backends()).at(-1)!, { CITYSTREAM_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => api?.stop());

  it('answers 429 problem+json with Retry-After past the per-client limit', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<ApiHarness['call']>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await api.call('GET', '/v1/incidents/categories');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
