/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// The city-services API through app.inject(): the api role assembled as a hub assembles it
// (app/assemble.ts) on an in-memory PGlite, no socket, no port. The real-server suites
// (test/api-*.test.ts) remain the proof over HTTP and PostgreSQL; this one is the fast layer.
// Time is a TestClock: a ticket hold ends when the test moves the clock, not after a sleep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp, type ApiApp } from '../../app/assemble.ts';
import { mintToken } from '../../core/auth/index.ts';
import { TestClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config/index.ts';
import { PgliteDb } from '../../core/db/pglite.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { plantFixtures, TEST_JWT_SECRET } from '../support/api.ts';

const HOLD_SECONDS = 900;
const PASSENGER = { name: 'Alice', idNumber: '440301199001011111' };
const FINE = { plate: '粤B12345', engineNoSuffix: '045128' };

describe('the API through app.inject() on in-memory PGlite', () => {
  let api: ApiApp;
  let db: PgliteDb;
  let dataDir: string;
  const clock = new TestClock();
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'citystream-inject-'));
    // Only the variables a test hub needs: nothing from the environment (no Kafka, no DATABASE_URL).
    const config = loadConfig({
      CITYSTREAM_DATA_DIR: dataDir,
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_LOG_LEVEL: 'error',
      CITYSTREAM_JWT_SECRET: TEST_JWT_SECRET,
      CITYSTREAM_TICKET_HOLD_SECONDS: String(HOLD_SECONDS),
      CITYSTREAM_RATE_LIMIT_PER_MINUTE: '1000000',
      CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE: '1000000',
    });
    db = await PgliteDb.open();
    api = await buildApiApp({ config, db, clock, logger: silentLogger() });
    await plantFixtures(db, { seats: 1 });
    [alice, bob] = await Promise.all([
      mintToken(TEST_JWT_SECRET, { sub: 'alice', role: 'citizen' }),
      mintToken(TEST_JWT_SECRET, { sub: 'bob', role: 'citizen' }),
    ]);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, options: { token?: string; body?: unknown } = {}) => {
    const res = await api.app.inject({
      method: method as 'GET',
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of any route
    const body: any = res.body ? JSON.parse(res.body) : undefined;
    return { status: res.statusCode, headers: res.headers, body };
  };

  it('books an appointment slot that only its patient can read back', async () => {
    const book = (token: string) =>
      call('POST', '/v1/appointments', {
        token,
        body: { slotId: 'slot1', patient: { ...PASSENGER, phone: '13800000001' } },
      });
    const booked = await book(alice);
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ slotId: 'slot1', status: 'booked' });
    expect(booked.body.patient.idNumber).toBe('4403**********1111');
    expect((await call('GET', `/v1/appointments/${booked.body.id}`, { token: alice })).body.id).toBe(
      booked.body.id,
    );
    expect((await call('GET', `/v1/appointments/${booked.body.id}`, { token: bob })).status).toBe(404);
  });

  it(`holds a seat for ${HOLD_SECONDS} s of clock time: taken until the clock passes it, then free`, async () => {
    const hold = (token: string) =>
      call('POST', '/v1/transport/tickets', {
        token,
        body: { departureId: 'dep1', count: 1, passenger: PASSENGER },
      });
    const first = await hold(alice);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'held', seats: ['01A'], amount: '74.50' });
    expect(new Date(first.body.holdExpiresAt).getTime()).toBe(clock.now() + HOLD_SECONDS * 1000);
    expect((await hold(bob)).status).toBe(409);

    clock.advanceSeconds(HOLD_SECONDS - 1);
    expect((await hold(bob)).status).toBe(409);
    clock.advanceSeconds(2);
    const seats = await call('GET', '/v1/transport/departures/dep1/seats');
    expect(seats.body.items).toEqual([{ seatNo: '01A', class: 'second', status: 'free' }]);
    expect((await call('GET', `/v1/transport/tickets/${first.body.id}`, { token: alice })).body.status).toBe(
      'expired',
    );
    const late = await call('POST', '/v1/payments', {
      token: alice,
      body: { kind: 'ticket', targetId: first.body.id },
    });
    expect(late.status).toBe(409);
    expect((await hold(bob)).status).toBe(201);
  });

  it('finds a fine by plate and engine suffix and pays it with that proof, not without', async () => {
    const found = await call(
      'GET',
      `/v1/fines?plate=${encodeURIComponent(FINE.plate)}&engineNoSuffix=${FINE.engineNoSuffix}`,
      { token: alice },
    );
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ id: 'fine1', amount: '200.00', status: 'unpaid' });
    const wrong = await call('POST', '/v1/payments', {
      token: alice,
      body: { kind: 'traffic_fine', targetId: 'fine1', plate: FINE.plate, engineNoSuffix: '000000' },
    });
    expect(wrong.status).toBe(404);
    const intent = await call('POST', '/v1/payments', {
      token: alice,
      body: { kind: 'traffic_fine', targetId: 'fine1', ...FINE },
    });
    expect(intent.status).toBe(201);
    const paid = await call('POST', `/v1/payments/${intent.body.id}/confirm`, { token: alice });
    expect(paid.body.status).toBe('succeeded');
    const after = await call(
      'GET',
      `/v1/fines?plate=${encodeURIComponent(FINE.plate)}&engineNoSuffix=${FINE.engineNoSuffix}`,
      { token: alice },
    );
    expect(after.body.items[0].status).toBe('paid');
  });

  it('takes an incident report in Shenzhen and refuses a citizen changing its status (403)', async () => {
    const report = await call('POST', '/v1/incidents', {
      token: alice,
      body: {
        category: 'blocked_storm_drain',
        lat: 22.54,
        lon: 114.06,
        description: 'Drain blocked, street flooding',
        reporter: { phone: '13800000001' },
      },
    });
    expect(report.status).toBe(201);
    expect(report.body).toMatchObject({ city: 'shenzhen', status: 'submitted' });
    const patch = await call('PATCH', `/v1/incidents/${report.body.id}`, {
      token: alice,
      body: { status: 'resolved' },
    });
    expect(patch.status).toBe(403);
  });

  it('answers bad input with problem+json naming the field, never a 500', async () => {
    const bad = await call('GET', `/v1/fines?plate=${encodeURIComponent(FINE.plate)}&engineNoSuffix=765`, {
      token: alice,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors[0].field).toBe('engineNoSuffix');
    const far = await call('POST', '/v1/incidents', {
      token: alice,
      body: {
        category: 'blocked_storm_drain',
        lat: 39.9,
        lon: 116.4,
        description: 'Drain blocked, street flooding',
        reporter: { phone: '13800000001' },
      },
    });
    expect(far.status).toBe(422);
    expect(far.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['lat', 'lon']),
    );
  });

  it('answers 401 without credentials and 405 with Allow for a method the path lacks', async () => {
    const anon = await call('GET', '/v1/appointments');
    expect(anon.status).toBe(401);
    expect(anon.headers['content-type']).toMatch(/application\/problem\+json/);
    const del = await call('DELETE', '/v1/incidents');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, POST');
  });

  it('answers a path segment longer than the router default with a 400 naming the field, not a bare 414', async () => {
    const long = await call('GET', `/v1/incidents/${'x'.repeat(1000)}`);
    expect(long.status).toBe(400);
    expect(long.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(long.body)).toMatch(/id/);
  });
});
