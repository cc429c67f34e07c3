// Payment intents: create (one live intent per target), settle (wallet confirm or provider
// webhook), refund. Every change writes its payments.v1 event to the outbox in the same transaction.
import { Conflict, Forbidden, NotFound } from '../../core/errors.ts';
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../core/auth/index.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { sqlState } from '../../core/db/types.ts';
import { EVENT_TYPES } from '../../core/events/catalog.ts';
import type { Payment } from '../../core/events/services.ts';
import { assertOwner, money, newId } from '../../core/module/common.ts';
import { bookingEvent, paymentEvent, recordEvent } from '../../core/outbox/write.ts';
import type { Payables, Proof } from '../../core/domain/payable.ts';
import type { PaymentKind } from '../../core/domain/statuses.ts';

import type { PaymentStatus } from '../../core/domain/statuses.ts';

export type { PaymentStatus };

export interface PaymentRow {
  id: string;
  user_id: string;
  kind: PaymentKind;
  target_id: string;
  amount: string;
  currency: 'CNY';
  status: PaymentStatus;
  failure_reason: string | null;
  provider_ref: string;
  created_at: Date;
  updated_at: Date;
}

export const paymentView = (p: PaymentRow) => ({
  id: p.id,
  kind: p.kind,
  targetId: p.target_id,
  amount: money(p.amount),
  currency: p.currency,
  status: p.status,
  ...(p.failure_reason ? { failureReason: p.failure_reason } : {}),
  providerRef: p.provider_ref,
  createdAt: p.created_at.toISOString(),
  updatedAt: p.updated_at.toISOString(),
});

const eventData = (p: PaymentRow, reason?: string): Payment => ({
  paymentId: p.id,
  userId: p.user_id,
  kind: p.kind,
  targetId: p.target_id,
  amount: money(p.amount),
  currency: 'CNY',
  status: p.status,
  ...(reason ? { reason } : {}),
  at: new Date().toISOString(),
});

const UNIQUE_VIOLATION = '23505';

/**
 * Creates an intent for a target the caller may pay (its Payable checks the proof). An unconfirmed
 * intent older than `intentTtlSeconds` no longer holds the target: it is cancelled here, so a
 * stranger's abandoned intent never locks the rightful payer out for longer than that.
 */
export async function createPayment(
  db: Db,
  payables: Payables,
  principal: Principal,
  kind: PaymentKind,
  targetId: string,
  proof: Proof,
  intentTtlSeconds: number,
  at: Date,
): Promise<PaymentRow> {
  try {
    return await db.transaction(async (tx) => {
      const target = await payables[kind].quote(tx, targetId, principal.sub, proof, at);
      await cancelStaleIntents(tx, intentTtlSeconds, at, { kind, targetId });
      const { rows } = await tx.query<PaymentRow>(
        `INSERT INTO payments (id, user_id, kind, target_id, amount, status, provider_ref, created_at)
         VALUES ($1, $2, $3, $4, $5, 'requires_confirmation', $6, $7) RETURNING *`,
        [
          newId('pay'),
          principal.sub,
          kind,
          targetId,
          target.amount,
          `wlt_${randomBytes(12).toString('hex')}`,
          at,
        ],
      );
      const p = rows[0]!;
      await recordEvent(tx, paymentEvent(EVENT_TYPES.paymentCreated, eventData(p)), `payment/${p.id}`);
      return p;
    });
  } catch (err) {
    if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
    // Another intent for this target is live: tell its owner which one, nobody else.
    const { rows } = await db.query<{ id: string; user_id: string; status: string }>(
      `SELECT id, user_id, status FROM payments
       WHERE kind = $1 AND target_id = $2 AND status IN ('requires_confirmation', 'succeeded')`,
      [kind, targetId],
    );
    const live = rows[0];
    const mine = live && live.user_id === principal.sub;
    throw new Conflict(
      live?.status === 'succeeded'
        ? `${kind} ${targetId} is already paid`
        : `${kind} ${targetId} has a payment in progress`,
      mine ? { paymentId: live.id } : {},
    );
  }
}

export async function getPayment(
  db: Queryable,
  principal: Principal,
  id: string,
  lock = false,
): Promise<PaymentRow> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT * FROM payments WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const p = rows[0];
  if (!p) throw new NotFound(`payment ${id} not found`);
  assertOwner(principal, p.user_id, 'payment', id);
  return p;
}

export async function listPayments(db: Queryable, userId: string): Promise<PaymentRow[]> {
  return (
    await db.query<PaymentRow>(
      'SELECT * FROM payments WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200',
      [userId],
    )
  ).rows;
}

export type Outcome = { ok: true } | { ok: false; reason: string };

/**
 * Settles an intent with the provider's outcome. Idempotent: a payment that is no longer
 * awaiting confirmation is returned unchanged. Locks the row so confirm and webhook cannot both apply.
 */
export async function settlePayment(
  tx: Queryable,
  payables: Payables,
  id: string,
  outcome: Outcome,
  at: Date,
): Promise<PaymentRow> {
  const { rows } = await tx.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [id]);
  const p = rows[0];
  if (!p) throw new NotFound(`payment ${id} not found`);
  if (p.status !== 'requires_confirmation') return p;
  let status: PaymentStatus = 'succeeded';
  let reason: string | undefined;
  if (!outcome.ok) {
    status = 'failed';
    reason = outcome.reason;
  } else if (!(await payables[p.kind].markPaid(tx, p.target_id, at))) {
    status = 'failed';
    reason = `${p.kind} ${p.target_id} can no longer be paid`;
  }
  const updated = (
    await tx.query<PaymentRow>(
      `UPDATE payments SET status = $2, failure_reason = $3, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, status, reason ?? null],
    )
  ).rows[0]!;
  await recordEvent(
    tx,
    paymentEvent(
      status === 'succeeded' ? EVENT_TYPES.paymentSucceeded : EVENT_TYPES.paymentFailed,
      eventData(updated, reason),
    ),
    `payment/${id}`,
  );
  const bookingKind = payables[p.kind].bookingKind;
  if (status === 'succeeded' && bookingKind) {
    // A paid booking is confirmed: the user's channel hears it as a booking change too.
    await recordEvent(
      tx,
      bookingEvent(EVENT_TYPES.bookingConfirmed, {
        bookingId: p.target_id,
        userId: p.user_id,
        kind: bookingKind,
        status: 'paid',
        amount: money(p.amount),
        details: { paymentId: p.id },
        at: new Date().toISOString(),
      }),
      `${p.kind}/${p.target_id}`,
    );
  }
  return updated;
}

const STALE = 'not confirmed in time';

/**
 * Cancels intents left unconfirmed for `ttlSeconds` (CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS), so they
 * stop blocking their target; all of them (maintenance), one target's (a new intent for it) or one
 * intent (its confirmation). Expiry is judged by the hub clock (`at`), the one createPayment set
 * created_at by.
 */
export async function cancelStaleIntents(
  tx: Queryable,
  ttlSeconds: number,
  at: Date,
  only: { kind: PaymentKind; targetId: string } | { id: string } | null = null,
): Promise<number> {
  const params: unknown[] = [ttlSeconds, at];
  let where = '';
  if (only && 'id' in only) {
    params.push(only.id);
    where = ' AND id = $3';
  } else if (only) {
    params.push(only.kind, only.targetId);
    where = ' AND kind = $3 AND target_id = $4';
  }
  const { rows } = await tx.query<PaymentRow>(
    `UPDATE payments SET status = 'canceled', failure_reason = '${STALE}', updated_at = now()
     WHERE status = 'requires_confirmation' AND created_at < $2::timestamptz - make_interval(secs => $1::float8)${where}
     RETURNING *`,
    params,
  );
  for (const p of rows) {
    await recordEvent(tx, paymentEvent(EVENT_TYPES.paymentFailed, eventData(p, STALE)), `payment/${p.id}`);
  }
  return rows.length;
}

/** The simulated wallet: the owner confirms; the wallet declines amounts above its limit. */
export const WALLET_LIMIT = 50_000;

export async function confirmPayment(
  db: Db,
  payables: Payables,
  principal: Principal,
  id: string,
  intentTtlSeconds: number,
  at: Date,
): Promise<PaymentRow> {
  const result = await db.transaction(async (tx) => {
    // Locked first: of racing confirmations exactly one sees requires_confirmation.
    const p = await getPayment(tx, principal, id, true);
    if (p.user_id !== principal.sub) throw new Forbidden('only the payer can confirm a payment');
    if (p.status !== 'requires_confirmation') throw new Conflict(`payment ${id} is ${p.status}`);
    // An intent past its time is cancelled (committed), then refused: the target may have a newer payer.
    if (await cancelStaleIntents(tx, intentTtlSeconds, at, { id })) return null;
    const outcome: Outcome =
      Number(p.amount) <= WALLET_LIMIT
        ? { ok: true }
        : { ok: false, reason: 'declined by wallet: over limit' };
    return settlePayment(tx, payables, id, outcome, at);
  });
  if (!result) {
    throw new Conflict(
      `payment ${id} was not confirmed within ${intentTtlSeconds} s and is canceled; create a new one`,
    );
  }
  return result;
}

/** Refunds a succeeded payment inside the caller's transaction (cancellations, staff refunds). */
export async function refundInTx(tx: Queryable, p: PaymentRow, reason: string): Promise<PaymentRow> {
  const updated = (
    await tx.query<PaymentRow>(
      `UPDATE payments SET status = 'refunded', failure_reason = $2, updated_at = now()
       WHERE id = $1 AND status = 'succeeded' RETURNING *`,
      [p.id, reason],
    )
  ).rows[0];
  if (!updated) throw new Conflict(`payment ${p.id} is ${p.status}, not refundable`);
  await recordEvent(
    tx,
    paymentEvent(EVENT_TYPES.paymentRefunded, eventData(updated, reason)),
    `payment/${p.id}`,
  );
  return updated;
}

/** On cancelling a booking: refund what was paid, cancel what was pending. */
export async function settleTargetOnCancel(
  tx: Queryable,
  kind: PaymentKind,
  targetId: string,
): Promise<string | null> {
  const { rows } = await tx.query<PaymentRow>(
    `SELECT * FROM payments WHERE kind = $1 AND target_id = $2 AND status IN ('requires_confirmation', 'succeeded')
     FOR UPDATE`,
    [kind, targetId],
  );
  const p = rows[0];
  if (!p) return null;
  if (p.status === 'succeeded') {
    await refundInTx(tx, p, `${kind} cancelled`);
    return 'refunded';
  }
  const cancelled = (
    await tx.query<PaymentRow>(
      `UPDATE payments SET status = 'canceled', failure_reason = $2, updated_at = now() WHERE id = $1 RETURNING *`,
      [p.id, `${kind} cancelled`],
    )
  ).rows[0]!;
  await recordEvent(
    tx,
    paymentEvent(EVENT_TYPES.paymentFailed, eventData(cancelled, `${kind} cancelled before payment`)),
    `payment/${p.id}`,
  );
  return 'canceled';
}

/** Staff refund of a bill or fine payment (e.g. a fine annulled on appeal). */
export async function refundPayment(
  db: Db,
  payables: Payables,
  id: string,
  reason: string,
): Promise<PaymentRow> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [id]);
    const p = rows[0];
    if (!p) throw new NotFound(`payment ${id} not found`);
    const payable = payables[p.kind];
    if (!payable.release) {
      throw new Conflict(`cancel the ${p.kind} to refund payment ${id}; cancelling frees it and refunds`);
    }
    const refunded = await refundInTx(tx, p, reason);
    await payable.release(tx, p.target_id);
    return refunded;
  });
}
