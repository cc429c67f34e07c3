// What can be paid for: each kind knows its amount, who may pay it and how to mark it paid or
// refunded inside the payment's transaction. The guarded UPDATEs are what make "paid at most once"
// hold even when the unique index on live intents is bypassed by a refund-and-pay-again.
import type { Queryable } from '../../core/db/types.ts';
import type { PAYMENT_KINDS } from '../../core/events/services.ts';
import { conflict, notFound } from '../../core/http/index.ts';
import { normalisePlate } from '../billing/routes.ts';

export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/**
 * What the payer shows they know, the same as the lookup asks for: a fine's plate and the last six
 * characters of its engine number, a bill's account number. Bookings need none: they are the caller's own.
 */
export interface Proof {
  plate?: string;
  engineNoSuffix?: string;
  accountNo?: string;
}

export interface Target {
  amount: string;
}

/**
 * The target's amount, for a caller who may pay it: a booking's owner, or whoever proves they
 * know the bill or fine. Anyone else gets the same 404 as for a target that does not exist, before
 * any status is looked at, so nothing about it (existence, state, amount) leaks.
 */
export async function loadTarget(
  tx: Queryable,
  kind: PaymentKind,
  targetId: string,
  payer: string,
  proof: Proof,
): Promise<Target> {
  const missing = () => notFound(`${kind} ${targetId} not found`);
  switch (kind) {
    case 'appointment': {
      const { rows } = await tx.query<{ fee: string; user_id: string; status: string; paid: boolean }>(
        'SELECT fee, user_id, status, paid FROM appointments WHERE id = $1',
        [targetId],
      );
      const a = rows[0];
      if (!a || a.user_id !== payer) throw missing();
      if (a.status !== 'booked') throw conflict(`appointment ${targetId} is ${a.status}`);
      if (a.paid) throw conflict(`appointment ${targetId} is already paid`);
      return { amount: a.fee };
    }
    case 'ticket': {
      const { rows } = await tx.query<{ amount: string; user_id: string; status: string; expired: boolean }>(
        'SELECT amount, user_id, status, hold_expires_at < now() AS expired FROM tickets WHERE id = $1',
        [targetId],
      );
      const t = rows[0];
      if (!t || t.user_id !== payer) throw missing();
      if (t.status === 'paid') throw conflict(`ticket ${targetId} is already paid`);
      if (t.status !== 'held' || t.expired) throw conflict(`ticket ${targetId} hold has ended (${t.status})`);
      return { amount: t.amount };
    }
    case 'electricity_bill': {
      const { rows } = await tx.query<{ amount: string; status: string; account_no: string }>(
        'SELECT amount, status, account_no FROM electricity_bills WHERE id = $1',
        [targetId],
      );
      const b = rows[0];
      if (!b || b.account_no !== proof.accountNo) throw missing();
      if (b.status === 'paid') throw conflict(`electricity bill ${targetId} is already paid`);
      return { amount: b.amount };
    }
    case 'traffic_fine': {
      const { rows } = await tx.query<{ amount: string; status: string; plate: string; engine_no: string }>(
        'SELECT amount, status, plate, engine_no FROM traffic_fines WHERE id = $1',
        [targetId],
      );
      const f = rows[0];
      const proven =
        f !== undefined &&
        proof.plate !== undefined &&
        proof.engineNoSuffix !== undefined &&
        normalisePlate(proof.plate) === f.plate &&
        f.engine_no.slice(-6).toUpperCase() === proof.engineNoSuffix.toUpperCase();
      if (!proven) throw missing();
      if (f.status === 'paid') throw conflict(`traffic fine ${targetId} is already paid`);
      return { amount: f.amount };
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
