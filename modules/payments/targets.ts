// What can be paid for: each kind knows its amount, its owner rule and how to mark it paid or
// refunded inside the payment's transaction. The guarded UPDATEs are what make "paid at most once"
// hold even when the unique index on live intents is bypassed by a refund-and-pay-again.
import type { Queryable } from '../../core/db/types.ts';
import type { PAYMENT_KINDS } from '../../core/events/services.ts';
import { conflict, notFound } from '../../core/http/index.ts';

export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export interface Target {
  amount: string;
  /** The user a booking belongs to; null for bills and fines, which anyone may settle. */
  ownerId: string | null;
}

export async function loadTarget(tx: Queryable, kind: PaymentKind, targetId: string): Promise<Target> {
  switch (kind) {
    case 'appointment': {
      const { rows } = await tx.query<{ fee: string; user_id: string; status: string; paid: boolean }>(
        'SELECT fee, user_id, status, paid FROM appointments WHERE id = $1',
        [targetId],
      );
      const a = rows[0];
      if (!a) throw notFound(`appointment ${targetId} not found`);
      if (a.status !== 'booked') throw conflict(`appointment ${targetId} is ${a.status}`);
      if (a.paid) throw conflict(`appointment ${targetId} is already paid`);
      return { amount: a.fee, ownerId: a.user_id };
    }
    case 'ticket': {
      const { rows } = await tx.query<{ amount: string; user_id: string; status: string; expired: boolean }>(
        'SELECT amount, user_id, status, hold_expires_at < now() AS expired FROM tickets WHERE id = $1',
        [targetId],
      );
      const t = rows[0];
      if (!t) throw notFound(`ticket ${targetId} not found`);
      if (t.status === 'paid') throw conflict(`ticket ${targetId} is already paid`);
      if (t.status !== 'held' || t.expired) throw conflict(`ticket ${targetId} hold has ended (${t.status})`);
      return { amount: t.amount, ownerId: t.user_id };
    }
    case 'electricity_bill': {
      const { rows } = await tx.query<{ amount: string; status: string }>(
        'SELECT amount, status FROM electricity_bills WHERE id = $1',
        [targetId],
      );
      const b = rows[0];
      if (!b) throw notFound(`electricity bill ${targetId} not found`);
      if (b.status === 'paid') throw conflict(`electricity bill ${targetId} is already paid`);
      return { amount: b.amount, ownerId: null };
    }
    case 'traffic_fine': {
      const { rows } = await tx.query<{ amount: string; status: string }>(
        'SELECT amount, status FROM traffic_fines WHERE id = $1',
        [targetId],
      );
      const f = rows[0];
      if (!f) throw notFound(`traffic fine ${targetId} not found`);
      if (f.status === 'paid') throw conflict(`traffic fine ${targetId} is already paid`);
      return { amount: f.amount, ownerId: null };
    }
  }
}

/** Marks the target paid; false when it can no longer be (hold expired, cancelled, paid). */
export async function markTargetPaid(tx: Queryable, kind: PaymentKind, targetId: string): Promise<boolean> {
  const sql: Record<PaymentKind, string> = {
    appointment: `UPDATE appointments SET paid = true WHERE id = $1 AND status = 'booked' AND NOT paid`,
    ticket: `UPDATE tickets SET status = 'paid', hold_expires_at = NULL, updated_at = now()
             WHERE id = $1 AND status = 'held' AND hold_expires_at >= now()`,
    electricity_bill: `UPDATE electricity_bills SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'unpaid'`,
    traffic_fine: `UPDATE traffic_fines SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'unpaid'`,
  };
  return (await tx.query(sql[kind], [targetId])).rowCount === 1;
}

/** Reverses markTargetPaid for a refunded bill or fine: it is due again. */
export async function markTargetUnpaid(
  tx: Queryable,
  kind: 'electricity_bill' | 'traffic_fine',
  targetId: string,
): Promise<void> {
  const table = kind === 'electricity_bill' ? 'electricity_bills' : 'traffic_fines';
  await tx.query(`UPDATE ${table} SET status = 'unpaid', paid_at = NULL WHERE id = $1`, [targetId]);
}
