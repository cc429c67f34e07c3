// What payments can pay for. Each paying-for module (appointments, transport, billing, fines)
// implements one Payable in its own folder over its own table; app/ hands the list to the payments
// module, which never writes those tables itself. Every method runs inside the payment's
// transaction, so "paid at most once" is decided by the payable's guarded UPDATE. `at` is the hub
// clock's time (core/clock.ts), for payables whose terms end (ticket holds).
import type { Queryable } from '../db/types.ts';
import type { PaymentKind } from './statuses.ts';

export interface Quote {
  /** numeric as PostgreSQL returns it ("25.00"). */
  amount: string;
}

/**
 * What the payer shows they know, the same as the lookup asks for: a fine's plate and the last six
 * characters of its engine number, a bill's account number. Bookings need none: they are the caller's own.
 */
export interface Proof {
  plate?: string;
  engineNoSuffix?: string;
  accountNo?: string;
}

export interface Payable {
  kind: PaymentKind;
  /**
   * Set for bookings (appointments, tickets): once paid, payments announces the booking confirmed
   * on bookings.v1 with this kind. Bills and fines are not bookings.
   */
  bookingKind?: 'appointment' | 'ticket';
  /**
   * The amount due, for a caller who may pay it: a booking's owner, or whoever proves they know the
   * bill or fine. Anyone else gets the same NotFound as for a target that does not exist, before
   * any status is looked at, so nothing about it leaks; Conflict when it cannot be paid now.
   */
  quote(tx: Queryable, targetId: string, payer: string, proof: Proof, at: Date): Promise<Quote>;
  /** Marks it paid; false when it can no longer be (hold expired, cancelled, already paid). */
  markPaid(tx: Queryable, targetId: string, at: Date): Promise<boolean>;
  /**
   * After a staff refund: due again. Absent for bookings, which are refunded by cancelling them
   * (that frees the slot or seat, which a bare refund must not do).
   */
  release?(tx: Queryable, targetId: string): Promise<void>;
}

/** The payables by kind; a kind without one is a programming error at start-up. */
export type Payables = Readonly<Record<PaymentKind, Payable>>;
