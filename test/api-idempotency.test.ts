/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by expect() */
// Idempotency-Key as a citizen's app uses it, over real HTTP on PostgreSQL and PGlite: keys belong
// to the user (a retry after a token refresh replays), a request refused before its handler ran
// leaves the key free for the corrected request, a handler's own answer (201, 409) is replayed, and
// a booking's change, outbox event and stored response are written by one transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { residentIdCheckChar } from '../core/domain/identity.ts';
import { backends, plantFixtures, startApi, TEST_JWT_SECRET, type ApiHarness } from './support/api.ts';

const patient = (i: number) => ({
  name: `Patient ${i}`,
  // A valid resident ID (the check character matches), different per patient.
  idNumber: withCheckChar(`44030019900101${String(i).padStart(3, '0')}`),
  phone: '13800138000',
});

const withCheckChar = (first17: string) => first17 + residentIdCheckChar(first17);

/** Two different valid tokens of one user: the one before and the one after a refresh. */
async function refreshedTokens(sub: string): Promise<[string, string]> {
  const before = await mintToken(TEST_JWT_SECRET, { sub, role: 'citizen' }, 3600);
  const after = await mintToken(TEST_JWT_SECRET, { sub, role: 'citizen' }, 7200);
  expect(before).not.toBe(after);
  return [before, after];
}

for (const backend of await backends()) {
  describe(`Idempotency-Key on ${backend.name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend);
      await plantFixtures(api.db, { slotCapacity: 50, seats: 4 });
      await api.db.query(
        `INSERT INTO slots (id, doctor_id, start_at, end_at, capacity, fee)
         VALUES ('slot-one', 'h1-card-dr1', now() + interval '2 days', now() + interval '2 days 30 minutes', 1, '30.00')`,
      );
    });
    afterAll(() => api?.stop());

    const book = (token: string, key: string, body: unknown) =>
      api.call('POST', '/v1/appointments', { token, body, headers: { 'idempotency-key': key } });
    it('the same key with two valid tokens of one user replays the first booking', async () => {
      const [before, after] = await refreshedTokens('ida');
      const body = { slotId: 'slot1', patient: patient(1) };
      const first = await book(before, 'ida-book-1', body);
      expect(first.status).toBe(201);
      const retry = await book(after, 'ida-book-1', body);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const { rows } = await api.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM appointments WHERE user_id = 'ida'`,
      );
      expect(rows[0]!.n).toBe(1);

      // Appointment, outbox event and stored response were written by one transaction: the same
      // xmin for the rows nothing updates since, the same now() (the transaction's start) for the
      // event, whose row the relay has marked sent since.
      const id = first.body.id as string;
      const { rows: written } = await api.db.query<{ apt: string; rec: string; sameStart: boolean }>(
        `SELECT a.xmin::text AS apt, k.xmin::text AS rec, o.created_at = k.created_at AS "sameStart"
         FROM appointments a, idempotency_keys k, outbox o
         WHERE a.id = $1 AND k.key = 'ida-book-1' AND o.event->>'subject' = 'appointment/' || a.id`,
        [id],
      );
      expect(written).toHaveLength(1);
      expect(written[0]!.rec).toBe(written[0]!.apt);
      expect(written[0]!.sameStart).toBe(true);
    });

    it("another user's identical key is independent", async () => {
      const [ida] = await refreshedTokens('ida');
      const [jo] = await refreshedTokens('jo');
      const idas = await book(ida, 'shared-key', { slotId: 'slot1', patient: patient(2) });
      const jos = await book(jo, 'shared-key', { slotId: 'slot1', patient: patient(3) });
      expect(idas.status).toBe(201);
      expect(jos.status).toBe(201);
      expect(jos.headers.get('idempotent-replayed')).toBeNull();
      expect(jos.body.id).not.toBe(idas.body.id);
      expect(jos.body.patient.name).toBe('Patient 3');
    });

    it('a 400 or 401 leaves the key unused: the corrected request with the same key books', async () => {
      const [token] = await refreshedTokens('kim');
      const invalid = await book(token, 'kim-book', {
        slotId: 'slot1',
        patient: { ...patient(4), phone: 'call me' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors[0].field).toBe('patient.phone');
      const unsigned = await api.call('POST', '/v1/appointments', {
        body: { slotId: 'slot1', patient: patient(4) },
        headers: { 'idempotency-key': 'kim-book' },
      });
      expect(unsigned.status).toBe(401);
      const corrected = await book(token, 'kim-book', { slotId: 'slot1', patient: patient(4) });
      expect(corrected.status).toBe(201);
      expect(corrected.headers.get('idempotent-replayed')).toBeNull();
    });

    it('a 409 (slot full) is stored and replayed, even after a place frees up', async () => {
      const [holder] = await refreshedTokens('holder');
      const [late, lateRefreshed] = await refreshedTokens('late');
      const taken = await book(holder, 'holder-1', { slotId: 'slot-one', patient: patient(5) });
      expect(taken.status).toBe(201);
      const full = await book(late, 'late-1', { slotId: 'slot-one', patient: patient(6) });
      expect(full.status).toBe(409);
      expect(full.body.detail).toMatch(/fully booked/);
      const cancel = await api.call('POST', `/v1/appointments/${taken.body.id}/cancel`, { token: holder });
      expect(cancel.status).toBe(200);
      const retry = await book(lateRefreshed, 'late-1', { slotId: 'slot-one', patient: patient(6) });
      expect(retry.status).toBe(409);
      expect(retry.body).toEqual(full.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      // A new attempt (a new key) gets the freed place.
      const again = await book(late, 'late-2', { slotId: 'slot-one', patient: patient(6) });
      expect(again.status).toBe(201);
    });

    it('a ticket hold, its payment and the confirmation each replay after a token refresh', async () => {
      const [before, after] = await refreshedTokens('rider');
      const post = (token: string, path: string, key: string, body?: unknown) =>
        api.call('POST', path, { token, body, headers: { 'idempotency-key': key } });
      const holdBody = {
        departureId: 'dep1',
        count: 1,
        passenger: { name: 'Rider', idNumber: '440301199001019999' },
      };
      const hold = await post(before, '/v1/transport/tickets', 'rider-hold', holdBody);
      expect(hold.status).toBe(201);
      const holdAgain = await post(after, '/v1/transport/tickets', 'rider-hold', holdBody);
      expect(holdAgain.body).toEqual(hold.body);
      expect(holdAgain.headers.get('idempotent-replayed')).toBe('true');

      const payBody = { kind: 'ticket', targetId: hold.body.id };
      const pay = await post(before, '/v1/payments', 'rider-pay', payBody);
      expect(pay.status).toBe(201);
      const payAgain = await post(after, '/v1/payments', 'rider-pay', payBody);
      expect(payAgain.status).toBe(201);
      expect(payAgain.body.id).toBe(pay.body.id);

      const confirm = await post(before, `/v1/payments/${pay.body.id}/confirm`, 'rider-confirm');
      expect(confirm.status).toBe(200);
      expect(confirm.body.status).toBe('succeeded');
      const confirmAgain = await post(after, `/v1/payments/${pay.body.id}/confirm`, 'rider-confirm');
      expect(confirmAgain.status).toBe(200);
      expect(confirmAgain.body).toEqual(confirm.body);
      expect(confirmAgain.headers.get('idempotent-replayed')).toBe('true');

      const { rows } = await api.db.query<{ tickets: number; payments: number; seats: number }>(
        `SELECT (SELECT count(*) FROM tickets WHERE user_id = 'rider')::int AS tickets,
                (SELECT count(*) FROM payments WHERE user_id = 'rider')::int AS payments,
                (SELECT count(*) FROM seats s JOIN tickets t ON t.id = s.ticket_id WHERE t.user_id = 'rider')::int AS seats`,
      );
      expect(rows[0]).toEqual({ tickets: 1, payments: 1, seats: 1 });
    });
  });
}
