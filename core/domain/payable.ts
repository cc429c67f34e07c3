// What payments can pay for. Each paying-for module (appointments, transport, billing, fines)
// implements one Payable in its own folder over its own table; app/ hands the list to the payments
// module, which never writes those tables itself. Every method runs inside the payment's
// transaction, so "paid at most once" is decided by the payable's guarded UPDATE.
import type { Queryable } from '../db/types.ts';
import type { PaymentKind } from './statuses.ts';

export interface Quote {
  /** numeric as PostgreSQL returns it ("25.00"). */
  amount: string;
  /** The user a booking belongs to; null for bills and fines, which anyone may settle. */
  ownerId: string | null;
}

export interface Payable {
  kind: PaymentKind;
  /**
   * Set for bookings (appointments, tickets): once paid, payments announces the booking confirmed
   * on bookings.v1 with this kind. Bills and fines are not bookings.
   */
  bookingKind?: 'appointment' | 'ticket';
  /** The amount due and its owner; throws NotFound or Conflict when it cannot be paid now. */
  quote(tx: Queryable, targetId: string): Promise<Quote>;
  /** Marks it paid; false when it can no longer be (hold expired, cancelled, already paid). */
  markPaid(tx: Queryable, targetId: string): Promise<boolean>;
  /**
   * After a staff refund: due again. Absent for bookings, which are refunded by cancelling them
   * (that frees the slot or seat, which a bare refund must not do).
   */
  release?(tx: Queryable, targetId: string): Promise<void>;
}

/** The payables by kind; a kind without one is a programming error at start-up. */
export type Payables = Readonly<Record<PaymentKind, Payable>>;
