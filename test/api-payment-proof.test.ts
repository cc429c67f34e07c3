/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by expect() */
// Payments cannot be blocked by strangers: paying a fine or bill needs the proof its lookup needs,
// a wrong proof is answered like a missing target (nothing about it leaks), and an intent nobody
// confirmed stops holding the target after CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS (the hub's system
// clock decides, on the host the database runs on here; tests move created_at back instead of sleeping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

const TTL = 120;
const FINE_PROOF = { plate: '粤B·12345', engineNoSuffix: '045128' };
const BILL_PROOF = { accountNo: '0755100200301' };

for (const backend of await backends()) {
  describe(`payment proof and expiry on ${backend.name}`, () => {
    let api: ApiHarness;
    let stranger: string;
    let owner: string;
    const pay = (token: string, body: Record<string, unknown>) =>
      api.call('POST', '/v1/payments', { token, body });
    const age = (id: unknown, seconds: number) =>
      api.db.query(
        `UPDATE payments SET created_at = now() - make_interval(secs => $2::float8) WHERE id = $1`,
        [id, seconds],
      );
    const notFoundBody = (kind: string, id: string) => ({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `${kind} ${id} not found`,
      instance: '/v1/payments',
      code: 'not_found',
    });

    beforeAll(async () => {
      api = await startApi(backend, { CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS: String(TTL) });
      await plantFixtures(api.db);
      await api.db.exec(`
        INSERT INTO traffic_fines (id, city, plate, engine_no, offence, location, occurred_at, amount, points)
          VALUES ('fine2', 'shenzhen', '粤B54321', 'LFV2A21K8A3099999', 'Speeding', 'Binhe Blvd', now() - interval '1 day', '150.00', 3);
        INSERT INTO electricity_bills (id, account_no, period, kwh, amount, due_date) VALUES ('bill2', '0755100200301', '2026-09', 300, '204.00', '2026-10-15');
      `);
      stranger = await api.token('stranger');
      owner = await api.token('rightful-payer');
    });
    afterAll(() => api?.stop());

    it('needs the plate and engine suffix for a fine, the account for a bill (400 naming the field)', async () => {
      const noProof = await pay(stranger, { kind: 'traffic_fine', targetId: 'fine1' });
      expect(noProof.status).toBe(400);
      const fields = (noProof.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields.sort()).toEqual(['engineNoSuffix', 'plate']);
      const noAccount = await pay(stranger, { kind: 'electricity_bill', targetId: 'bill1' });
      expect(noAccount.status).toBe(400);
      expect(noAccount.body.errors[0]).toMatchObject({ in: 'body', field: 'accountNo' });
      expect(JSON.stringify([noProof.body, noAccount.body])).not.toMatch(/200\.00|217\.60/);
    });

    it('answers a wrong proof exactly like a missing fine or bill, revealing no amount', async () => {
      const wrongSuffix = await pay(stranger, {
        kind: 'traffic_fine',
        targetId: 'fine1',
        ...FINE_PROOF,
        engineNoSuffix: '999999',
      });
      const wrongPlate = await pay(stranger, {
        kind: 'traffic_fine',
        targetId: 'fine1',
        ...FINE_PROOF,
        plate: '粤B99999',
      });
      const missing = await pay(stranger, { kind: 'traffic_fine', targetId: 'fine-nope', ...FINE_PROOF });
      for (const r of [wrongSuffix, wrongPlate]) {
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body).toEqual(notFoundBody('traffic_fine', 'fine1'));
      }
      expect(missing.body).toEqual(notFoundBody('traffic_fine', 'fine-nope'));
      const wrongAccount = await pay(stranger, {
        kind: 'electricity_bill',
        targetId: 'bill1',
        accountNo: '0755100200302',
      });
      expect(wrongAccount.body).toEqual(notFoundBody('electricity_bill', 'bill1'));
      const { rows } = await api.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM payments WHERE user_id = 'stranger'`,
      );
      expect(rows[0]!.n).toBe(0);
    });

    it('lets whoever has the proof pay, and shows the amount to them', async () => {
      const r = await pay(stranger, { kind: 'electricity_bill', targetId: 'bill2', ...BILL_PROOF });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ amount: '204.00', status: 'requires_confirmation' });
      const confirmed = await api.call('POST', `/v1/payments/${r.body.id}/confirm`, { token: stranger });
      expect(confirmed.body.status).toBe('succeeded');
      // Paid: still a 404 without the proof, not "already paid".
      const probe = await pay(owner, {
        kind: 'electricity_bill',
        targetId: 'bill2',
        accountNo: '0755100200302',
      });
      expect(probe.body).toEqual(notFoundBody('electricity_bill', 'bill2'));
    });

    it(`an abandoned intent blocks the rightful payer for ${TTL} s at most, then a new one supersedes it`, async () => {
      const abandoned = await pay(stranger, { kind: 'traffic_fine', targetId: 'fine1', ...FINE_PROOF });
      expect(abandoned.status).toBe(201);
      const blocked = await pay(owner, { kind: 'traffic_fine', targetId: 'fine1', ...FINE_PROOF });
      expect(blocked.status).toBe(409);
      expect(blocked.body.paymentId).toBeUndefined();
      await age(abandoned.body.id, TTL - 10);
      expect((await pay(owner, { kind: 'traffic_fine', targetId: 'fine1', ...FINE_PROOF })).status).toBe(409);
      await age(abandoned.body.id, TTL + 1);
      const mine = await pay(owner, { kind: 'traffic_fine', targetId: 'fine1', ...FINE_PROOF });
      expect(mine.status).toBe(201);
      expect(mine.body.amount).toBe('200.00');
      const old = await api.call('GET', `/v1/payments/${abandoned.body.id}`, { token: stranger });
      expect(old.body).toMatchObject({ status: 'canceled', failureReason: 'not confirmed in time' });
      expect(
        (await api.call('POST', `/v1/payments/${abandoned.body.id}/confirm`, { token: stranger })).status,
      ).toBe(409);
      expect(
        (await api.call('POST', `/v1/payments/${mine.body.id}/confirm`, { token: owner })).body.status,
      ).toBe('succeeded');
    });

    it('refuses to confirm an intent past its time and cancels it', async () => {
      const late = await pay(owner, {
        kind: 'traffic_fine',
        targetId: 'fine2',
        plate: '粤B54321',
        engineNoSuffix: '099999',
      });
      expect(late.status).toBe(201);
      await age(late.body.id, TTL + 1);
      const confirm = await api.call('POST', `/v1/payments/${late.body.id}/confirm`, { token: owner });
      expect(confirm.status).toBe(409);
      expect(confirm.body.detail).toMatch(/not confirmed within 120 s/);
      expect((await api.call('GET', `/v1/payments/${late.body.id}`, { token: owner })).body.status).toBe(
        'canceled',
      );
      const { rows } = await api.db.query<{ status: string }>(
        `SELECT status FROM traffic_fines WHERE id = 'fine2'`,
      );
      expect(rows[0]!.status).toBe('unpaid');
    });
  });
}
