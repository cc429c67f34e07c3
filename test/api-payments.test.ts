/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by expect() */
// Payment intents end to end: the signed provider webhook refuses forged, tampered and replayed
// callbacks without changing anything; a valid one settles once; cancelling refunds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_WEBHOOK_SECRET } from '../core/config/index.ts';
import { runMaintenance } from '../app/maintenance.ts';
import { signPayload } from '../modules/payments/signature.ts';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';
import { waitFor } from './support/wait.ts';

for (const backend of await backends()) {
  describe(`payments on ${backend.name}`, () => {
    let api: ApiHarness;
    let token: string;
    let appointmentId: string;
    let payment: { id: string; providerRef: string };

    beforeAll(async () => {
      api = await startApi(backend);
      await plantFixtures(api.db);
      token = await api.token('payer');
      const apt = await api.call('POST', '/v1/appointments', {
        token,
        body: {
          slotId: 'slot1',
          patient: { name: 'Li Na', idNumber: '440301199001011234', phone: '13800138000' },
        },
      });
      expect(apt.status).toBe(201);
      appointmentId = apt.body.id;
      const pay = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'appointment', targetId: appointmentId },
      });
      expect(pay.status).toBe(201);
      expect(pay.body).toMatchObject({ amount: '50.00', currency: 'CNY', status: 'requires_confirmation' });
      payment = pay.body;
    });
    afterAll(() => api?.stop());

    const snapshot = async () =>
      (
        await api.db.query(
          `SELECT (SELECT status FROM payments WHERE id = $1) AS payment, (SELECT paid FROM appointments WHERE id = $2) AS paid,
                  (SELECT count(*) FROM outbox)::int AS events, (SELECT count(*) FROM payment_webhook_events)::int AS webhooks`,
          [payment.id, appointmentId],
        )
      ).rows[0];
    const send = (body: string, signature: string) =>
      api.call('POST', '/v1/payments/webhook', { body, headers: { 'citystream-signature': signature } });
    const succeeded = () =>
      JSON.stringify({
        id: `evt_${payment.id}`,
        type: 'payment.succeeded',
        data: { providerRef: payment.providerRef },
      });
    const now = () => Math.floor(Date.now() / 1000);

    it('refuses a forged, a tampered and a replayed webhook, and none of them changes anything', async () => {
      const before = await snapshot();
      expect(before).toMatchObject({ payment: 'requires_confirmation', paid: false, webhooks: 0 });

      const forged = await send(
        succeeded(),
        signPayload('not-the-provider-secret-'.repeat(2), succeeded(), now()),
      );
      expect(forged.status).toBe(401);
      expect(forged.headers.get('content-type')).toContain('application/problem+json');
      expect(forged.body.detail).toMatch(/signature does not match/);

      const signed = signPayload(DEV_WEBHOOK_SECRET, succeeded(), now());
      const tampered = await send(succeeded().replace('payment.succeeded', 'payment.failed'), signed);
      expect(tampered.status).toBe(401);

      const replayed = await send(succeeded(), signPayload(DEV_WEBHOOK_SECRET, succeeded(), now() - 3600));
      expect(replayed.status).toBe(401);
      expect(replayed.body.detail).toMatch(/tolerance window/);

      const unsigned = await send(succeeded(), '');
      expect(unsigned.status).toBe(401);

      expect(await snapshot()).toEqual(before);
    });

    it('settles on a valid webhook once; a re-delivery of the same event changes nothing', async () => {
      const header = signPayload(DEV_WEBHOOK_SECRET, succeeded(), now());
      const ok = await send(succeeded(), header);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ received: true, duplicate: false, paymentStatus: 'succeeded' });
      const after = await snapshot();
      expect(after).toMatchObject({ payment: 'succeeded', paid: true, webhooks: 1 });

      const again = await send(succeeded(), header);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ duplicate: true });
      expect(await snapshot()).toEqual(after);

      const mine = await api.call('GET', `/v1/payments/${payment.id}`, { token });
      expect(mine.body.status).toBe('succeeded');
      // Paid at most once: a new intent for the same appointment is refused.
      const second = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'appointment', targetId: appointmentId },
      });
      expect(second.status).toBe(409);
    });

    it('cancelling a paid appointment frees the place and refunds the fee, with events for the user', async () => {
      const cancel = await api.call('POST', `/v1/appointments/${appointmentId}/cancel`, { token });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ status: 'cancelled', payment: 'refunded' });
      const { rows } = await api.db.query<{ booked: number; status: string }>(
        `SELECT (SELECT booked FROM slots WHERE id = 'slot1') AS booked, (SELECT status FROM payments WHERE id = $1) AS status`,
        [payment.id],
      );
      expect(rows[0]).toEqual({ booked: 0, status: 'refunded' });
      const events = await api.db.query<{ topic: string; type: string; user_id: string }>(
        `SELECT topic, event->>'type' AS type, event->'data'->>'userId' AS user_id FROM outbox ORDER BY id`,
      );
      expect(events.rows.map((e) => e.type)).toEqual([
        'city.booking.created.v1',
        'city.payment.created.v1',
        'city.payment.succeeded.v1',
        'city.booking.confirmed.v1',
        'city.payment.refunded.v1',
        'city.booking.cancelled.v1',
      ]);
      expect(events.rows.every((e) => e.user_id === 'payer')).toBe(true);
    });

    it('cancels an intent nobody confirmed, so it stops blocking the bill for other payers', async () => {
      const abandoned = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'electricity_bill', targetId: 'bill1', accountNo: '0755100200301' },
      });
      expect(abandoned.status).toBe(201);
      const other = await api.token('other-family-member');
      expect(
        (
          await api.call('POST', '/v1/payments', {
            token: other,
            body: { kind: 'electricity_bill', targetId: 'bill1', accountNo: '0755100200301' },
          })
        ).status,
      ).toBe(409);
      await api.db.query(`UPDATE payments SET created_at = now() - interval '31 minutes' WHERE id = $1`, [
        abandoned.body.id,
      ]);
      expect(await runMaintenance(api.db, 30 * 60)).toMatchObject({ cancelledIntents: 1 });
      expect((await api.call('GET', `/v1/payments/${abandoned.body.id}`, { token })).body.status).toBe(
        'canceled',
      );
      expect(
        (
          await api.call('POST', '/v1/payments', {
            token: other,
            body: { kind: 'electricity_bill', targetId: 'bill1', accountNo: '0755100200301' },
          })
        ).status,
      ).toBe(201);
    });

    it('relays every committed event to the bus and shows the outbox on /metrics', async () => {
      await waitFor(async () => {
        const m = (await api.call('GET', '/metrics')).body as string;
        return (
          m.includes('citystream_outbox_unpublished 0') &&
          /citystream_outbox_published_total\{topic="payments.v1"\} [1-9]/.test(m)
        );
      }, 'the outbox drained');
      const { rows } = await api.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      expect(rows[0]!.n).toBe(0);
    });

    it('confirms through the simulated wallet and refunds a fine only for staff', async () => {
      const pay = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'traffic_fine', targetId: 'fine1', plate: '粤B12345', engineNoSuffix: '045128' },
      });
      const confirmed = await api.call('POST', `/v1/payments/${pay.body.id}/confirm`, { token });
      expect(confirmed.body.status).toBe('succeeded');
      const fines = await api.call('GET', '/v1/fines?plate=%E7%B2%A4B%C2%B712345&engineNoSuffix=045128', {
        token,
      });
      expect(fines.body.items[0]).toMatchObject({ id: 'fine1', status: 'paid' });
      const byCitizen = await api.call('POST', `/v1/payments/${pay.body.id}/refund`, {
        token,
        body: { reason: 'appeal upheld' },
      });
      expect(byCitizen.status).toBe(403);
      const staff = await api.token('officer', 'staff');
      const refunded = await api.call('POST', `/v1/payments/${pay.body.id}/refund`, {
        token: staff,
        body: { reason: 'appeal upheld' },
      });
      expect(refunded.body.status).toBe('refunded');
      const due = await api.call('GET', '/v1/fines?plate=%E7%B2%A4B12345&engineNoSuffix=045128', { token });
      expect(due.body.items[0].status).toBe('unpaid');
    });
  });
}
