/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// Bad input is the caller's fault, so it is a 400 problem naming the field, never a 500: NUL bytes
// in any string, dates that do not exist, malformed multipart, deeply nested JSON, a station
// placed outside its city. Unknown methods on known paths answer 405 with Allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

const backend = (await backends()).find((b) => b.name === 'postgres') ?? (await backends())[0]!;

const names = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe(`bad input on ${backend.name}`, () => {
  let api: ApiHarness;
  let alice: string;
  let staff: string;

  beforeAll(async () => {
    api = await startApi(backend);
    await plantFixtures(api.db, { seats: 4 });
    [alice, staff] = await Promise.all([api.token('alice'), api.token('officer', 'staff')]);
  });
  afterAll(() => api?.stop());

  const report = {
    category: 'pothole',
    lat: 22.54,
    lon: 114.06,
    description: 'A deep hole in the right lane',
    reporter: { email: 'a@example.com' },
  };

  it('refuses a NUL byte in a body, query or path string with a 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/incidents', { ...report, description: 'hole\u0000in the road' }, 'description'],
      [
        'POST',
        '/v1/incidents',
        { ...report, reporter: { name: 'A\u0000', email: 'a@x.io' } },
        'reporter.name',
      ],
      [
        'POST',
        '/v1/appointments',
        {
          slotId: 'slot1',
          patient: { name: 'Al\u0000', idNumber: '440301199001011111', phone: '13800000001' },
        },
        'patient.name',
      ],
      [
        'POST',
        '/open311/v2/requests.json',
        {
          service_code: 'pothole',
          lat: 22.54,
          long: 114.06,
          description: 'hole\u0000 here',
          email: 'a@x.io',
        },
        'description',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await api.call(method, path, { token: alice, body });
      expect(r.status, `${path} ${field}`).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(names(r.body), path).toContain(field);
    }
    const q = await api.call('GET', '/v1/doctors?departmentId=h1%00card');
    expect(q.status).toBe(400);
    expect(names(q.body)).toContain('departmentId');
    const p = await api.call('GET', '/v1/incidents/inc%00x');
    expect(p.status).toBe(400);
    expect(names(p.body)).toContain('id');
    const form = await fetch(`${api.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'service_code=pothole&lat=22.54&long=114.06&description=hole%00here&email=a%40x.io',
    });
    expect(form.status).toBe(400);
    expect(names((await form.json()) as { errors: { field: string }[] })).toContain('description');
  });

  it('refuses dates that do not exist (0000-00-00, 2026-02-30, year 0) with a 400 naming the field', async () => {
    for (const date of ['0000-00-00', '2026-02-30', '2026-13-01', '0000-01-01']) {
      const slots = await api.call('GET', `/v1/doctors/h1-card-dr1/slots?date=${date}`);
      expect(slots.status, date).toBe(400);
      expect(names(slots.body)).toContain('date');
      const deps = await api.call('GET', `/v1/transport/departures?from=guangzhou&to=shenzhen&date=${date}`);
      expect(deps.status, date).toBe(400);
      expect(names(deps.body)).toContain('date');
    }
    const open311 = await api.call('GET', '/open311/v2/requests.json?start_date=0000-01-01T00:00:00Z');
    expect(open311.status).toBe(400);
    expect(names(open311.body)).toContain('start_date');
    const ok = await api.call('GET', '/v1/doctors/h1-card-dr1/slots?date=2028-02-29');
    expect(ok.status).toBe(200);
  });

  it('answers malformed multipart with a 400, not a 500', async () => {
    const boundary = 'XyZ123';
    const bodies = [
      // truncated: no closing boundary
      `--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\npothole\r\n--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nhalf a`,
      // a part without headers
      `--${boundary}\r\n\r\n\r\n--${boundary}--\r\n`,
      'not multipart at all',
    ];
    for (const body of bodies) {
      const r = await fetch(`${api.url}/v1/incidents`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      });
      expect(r.status, body.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(r.status, body.slice(0, 40)).toBeLessThan(500);
    }
    const noBoundary = await fetch(`${api.url}/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    expect(noBoundary.status).toBeGreaterThanOrEqual(400);
    expect(noBoundary.status).toBeLessThan(500);
  });

  it('refuses JSON nested deeper than 32 levels with a 400 before parsing it', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const path of ['/v1/incidents', '/v1/appointments', '/open311/v2/requests.json']) {
      const r = await api.call('POST', path, { token: alice, body: deep });
      expect(r.status, path).toBe(400);
      expect(r.body.detail).toMatch(/nested deeper than 32/);
    }
    const nested = {
      ...report,
      reporter: { email: 'a@x.io', x: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) },
    };
    const r = await api.call('POST', '/v1/incidents', { body: nested });
    expect(r.status).toBe(400);
  });

  it('refuses a station placed outside its city with a 400 naming lat and lon', async () => {
    const r = await api.call('POST', '/v1/air/stations', {
      token: staff,
      body: { id: 'SZ-FAR', name: 'Far away', city: 'shenzhen', lat: 39.9, lon: 116.4 },
    });
    expect(r.status).toBe(400);
    expect(names(r.body)).toEqual(expect.arrayContaining(['lat', 'lon']));
    const ok = await api.call('POST', '/v1/air/stations', {
      token: staff,
      body: { id: 'SZ-NEAR', name: 'Futian', city: 'shenzhen', lat: 22.54, lon: 114.06 },
    });
    expect(ok.status).toBe(201);
    const incident = await api.call('POST', '/v1/incidents', { body: { ...report, lat: 39.9, lon: 116.4 } });
    expect(incident.status).toBe(422);
    expect(names(incident.body)).toEqual(expect.arrayContaining(['lat', 'lon']));
  });

  it('answers an unknown method on a known path with 405 and Allow; an unknown path stays 404', async () => {
    const del = await api.call('DELETE', '/v1/incidents');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(del.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const put = await api.call('PUT', '/v1/incidents/inc_123');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, PATCH');
    const get = await api.call('GET', '/v1/payments/pay_1/confirm');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await api.call('GET', '/v1/no-such-thing')).status).toBe(404);
  });
});
