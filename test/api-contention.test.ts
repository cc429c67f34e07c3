/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON, checked by expect() */
// Contention over real HTTP: many clients racing for the same slot, fine or seat, and clients
// retrying with the same Idempotency-Key. Runs on the real PostgreSQL server and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../core/domain/identity.ts';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

/** A distinct valid resident ID per patient: the birth year and sequence number carry `i`. */
const idFor = (i: number) => {
  const first17 = `440300${1950 + Math.floor(i / 1000)}0101${String(i % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
};
const patient = (i: number) => ({ name: `Patient ${i}`, idNumber: idFor(i), phone: '13800138000' });

for (const backend of await backends()) {
  describe(`contention on ${backend.name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend);
      await plantFixtures(api.db, { slotCapacity: 3, seats: 1 });
    });
    afterAll(() => api?.stop());

    it('200 bookings racing for a slot of capacity 3 end with exactly 3 bookings', async () => {
      const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => api.token(`racer-${i}`)));
      const results = await Promise.all(
        tokens.map((token, i) =>
          api.call('POST', '/v1/appointments', { token, body: { slotId: 'slot1', patient: patient(i) } }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 409)).toHaveLength(197);
      const full = results.find((r) => r.status === 409)!;
      expect(full.headers.get('content-type')).toContain('application/problem+json');
      expect(full.body.detail).toMatch(/fully booked/);
      const { rows } = await api.db.query<{ n: number; booked: number }>(
        `SELECT (SELECT count(*) FROM appointments WHERE slot_id = 'slot1' AND status = 'booked')::int AS n,
                (SELECT booked FROM slots WHERE id = 'slot1') AS booked`,
      );
      expect(rows[0]).toEqual({ n: 3, booked: 3 });

      // Cancelling frees a place that the next booker gets.
      const winner = results.find((r) => r.status === 201)!;
      const owner = tokens[results.indexOf(winner)]!;
      expect(
        (await api.call('POST', `/v1/appointments/${winner.body.id}/cancel`, { token: owner })).status,
      ).toBe(200);
      const again = await api.call('POST', '/v1/appointments', {
        token: await api.token('late-comer'),
        body: { slotId: 'slot1', patient: patient(999) },
      });
      expect(again.status).toBe(201);
    });

    it('100 racing payments of one fine end with one payment, paid once', async () => {
      const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => api.token(`payer-${i}`)));
      const results = await Promise.all(
        tokens.map((token) =>
          api.call('POST', '/v1/payments', {
            token,
            body: { kind: 'traffic_fine', targetId: 'fine1', plate: '粤B12345', engineNoSuffix: '045128' },
          }),
        ),
      );
      const created = results.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(99);
      expect(created[0]!.body).toMatchObject({
        status: 'requires_confirmation',
        amount: '200.00',
        currency: 'CNY',
      });

      // Racing confirmations of that one intent charge once.
      const payer = tokens[results.indexOf(created[0]!)]!;
      const confirms = await Promise.all(
        Array.from({ length: 20 }, () =>
          api.call('POST', `/v1/payments/${created[0]!.body.id}/confirm`, { token: payer }),
        ),
      );
      expect(confirms.filter((r) => r.status === 200)).toHaveLength(1);
      expect(confirms.filter((r) => r.status === 409)).toHaveLength(19);
      const after = await api.call('POST', '/v1/payments', {
        token: tokens[5]!,
        body: { kind: 'traffic_fine', targetId: 'fine1', plate: '粤B12345', engineNoSuffix: '045128' },
      });
      expect(after.status).toBe(409);
      expect(after.body.detail).toMatch(/already paid/);
      const { rows } = await api.db.query<{ n: number; status: string }>(
        `SELECT (SELECT count(*) FROM payments WHERE target_id = 'fine1')::int AS n, (SELECT status FROM traffic_fines WHERE id = 'fine1') AS status`,
      );
      expect(rows[0]).toEqual({ n: 1, status: 'paid' });
    });

    it('50 racing holds on the last seat end with one holder', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => api.token(`traveller-${i}`)));
      const results = await Promise.all(
        tokens.map((token, i) =>
          api.call('POST', '/v1/transport/tickets', {
            token,
            body: {
              departureId: 'dep1',
              seats: ['01A'],
              passenger: { name: `T ${i}`, idNumber: `44010119900101${String(i).padStart(4, '0')}` },
            },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(49);
      const seats = await api.call('GET', '/v1/transport/departures/dep1/seats');
      expect(seats.body.items).toEqual([{ seatNo: '01A', class: 'second', status: 'taken' }]);
      const { rows } = await api.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tickets WHERE departure_id = 'dep1'`,
      );
      expect(rows[0]!.n).toBe(1);
    });

    it('retried POSTs with the same Idempotency-Key create nothing new; another body with that key is refused', async () => {
      await api.db.query(`UPDATE slots SET capacity = 50 WHERE id = 'slot1'`);
      const token = await api.token('retrier');
      const body = { slotId: 'slot1', patient: patient(4242) };
      const headers = { 'idempotency-key': 'book-4242-once' };
      const first = await api.call('POST', '/v1/appointments', { token, body, headers });
      expect(first.status).toBe(201);
      // A burst of retries (flaky network): each gets the first answer back, or 409 while it is in flight.
      const retries = await Promise.all(
        Array.from({ length: 20 }, () => api.call('POST', '/v1/appointments', { token, body, headers })),
      );
      for (const r of retries) {
        expect(r.status).toBe(201);
        expect(r.body).toEqual(first.body);
        expect(r.headers.get('idempotent-replayed')).toBe('true');
      }
      const other = await api.call('POST', '/v1/appointments', {
        token,
        body: { ...body, patient: patient(4243) },
        headers,
      });
      expect(other.status).toBe(422);
      expect(other.body.errors[0].field).toBe('idempotency-key');

      // Concurrent first attempts with one key: at most one runs.
      const payHeaders = { 'idempotency-key': 'pay-bill-1' };
      const pays = await Promise.all(
        Array.from({ length: 10 }, () =>
          api.call('POST', '/v1/payments', {
            token,
            body: { kind: 'electricity_bill', targetId: 'bill1', accountNo: '0755100200301' },
            headers: payHeaders,
          }),
        ),
      );
      const ids = new Set(pays.filter((r) => r.status === 201).map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(pays.every((r) => r.status === 201 || r.status === 409)).toBe(true);

      const { rows } = await api.db.query<{ apts: number; pays: number }>(
        `SELECT (SELECT count(*) FROM appointments WHERE user_id = 'retrier')::int AS apts,
                (SELECT count(*) FROM payments WHERE target_id = 'bill1')::int AS pays`,
      );
      expect(rows[0]).toEqual({ apts: 1, pays: 1 });
    });

    it('concurrent first attempts of one hold with one Idempotency-Key hold one seat: the others roll back and replay it', async () => {
      await api.db.exec(`
        INSERT INTO departures (id, mode, operator, service_no, from_city, to_city, from_station, to_station, depart_at, arrive_at, price)
          VALUES ('dep2', 'rail', 'Test Rail', 'G3', 'guangzhou', 'shenzhen', 'Guangzhou South', 'Shenzhen North', now() + interval '3 days', now() + interval '3 days 35 minutes', '74.50');
        INSERT INTO seats (departure_id, seat_no, class) SELECT 'dep2', lpad(n::text, 2, '0') || 'A', 'second' FROM generate_series(1, 20) AS n;
      `);
      const token = await api.token('double-tapper');
      const body = {
        departureId: 'dep2',
        count: 1,
        passenger: { name: 'Tapper', idNumber: '440301199001018888' },
      };
      const headers = { 'idempotency-key': 'hold-dep2-racing' };
      // With 20 free seats every attempt can hold one: only the key's record, written last in each
      // attempt's own transaction, keeps all but the first from committing.
      const attempts = await Promise.all(
        Array.from({ length: 10 }, () => api.call('POST', '/v1/transport/tickets', { token, body, headers })),
      );
      expect(attempts.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 201));
      expect(new Set(attempts.map((r) => r.body.id)).size).toBe(1);
      expect(attempts.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
      const { rows } = await api.db.query<{ tickets: number; taken: number }>(
        `SELECT (SELECT count(*) FROM tickets WHERE user_id = 'double-tapper')::int AS tickets,
                (SELECT count(*) FROM seats WHERE departure_id = 'dep2' AND ticket_id IS NOT NULL)::int AS taken`,
      );
      expect(rows[0]).toEqual({ tickets: 1, taken: 1 });
    });

    it('a slot this hub has booked before is refused by what it is now: started, full, gone', async () => {
      await api.db.query(
        `INSERT INTO slots (id, doctor_id, start_at, end_at, capacity, fee)
         VALUES ('slot3', 'h1-card-dr1', now() + interval '1 day', now() + interval '1 day 30 minutes', 5, '50.00')`,
      );
      const token = await api.token('slot3-patients');
      const book = (i: number) =>
        api.call('POST', '/v1/appointments', {
          token,
          body: { slotId: 'slot3', patient: patient(6000 + i) },
        });
      expect((await book(1)).status).toBe(201);

      await api.db.query(`UPDATE slots SET start_at = now() - interval '1 minute' WHERE id = 'slot3'`);
      const started = await book(2);
      expect(started.status).toBe(409);
      expect(started.body.detail).toMatch(/slot3 has already started/);

      await api.db.query(
        `UPDATE slots SET start_at = now() + interval '1 day', capacity = 1 WHERE id = 'slot3'`,
      );
      const full = await book(3);
      expect(full.status).toBe(409);
      expect(full.body.detail).toMatch(/slot3 is fully booked/);

      const { rows } = await api.db.query<{ apts: number; booked: number }>(
        `SELECT (SELECT count(*) FROM appointments WHERE slot_id = 'slot3')::int AS apts,
                (SELECT booked FROM slots WHERE id = 'slot3') AS booked`,
      );
      expect(rows[0]).toEqual({ apts: 1, booked: 1 });

      await api.db.query(`DELETE FROM appointments WHERE slot_id = 'slot3'`);
      await api.db.query(`DELETE FROM slots WHERE id = 'slot3'`);
      const gone = await book(4);
      expect(gone.status).toBe(404);
      expect(gone.body.detail).toMatch(/slot slot3 not found/);
    });
  });
}
