// What the signed-in citizen has booked and paid, in one place: every view (a form's result row,
// "My bookings", the pay tab) reads it, so a payment shows as paid everywhere at once. Filled from
// the API (on sign-in, reload, and after each change) and kept current by the user:{id} events.
import { list } from '../api.ts';
import type { ChannelEvent } from '../events.ts';
import type { z } from 'zod';
import type { paymentResponse } from '../../../modules/payments/index.ts';
import type { ticketDeparture } from '../../../modules/transport/index.ts';

export type Payment = z.output<typeof paymentResponse>;

export interface Appointment {
  id: string;
  status: 'booked' | 'cancelled';
  paid: boolean;
  fee: string;
  start: string;
  doctor: { name: string; names?: Record<string, string> };
  department: string;
  departmentNames?: Record<string, string>;
  hospital: {
    name: string;
    names?: Record<string, string>;
    /** Where to go: the address, and in other languages. */
    address: string;
    addresses?: Record<string, string>;
  };
  createdAt: string;
  cancelledAt?: string;
}

export interface Ticket {
  id: string;
  departureId: string;
  /** Which service, from where to where, when (absent in a ticket event's details). */
  departure?: z.output<typeof ticketDeparture>;
  status: 'held' | 'paid' | 'cancelled' | 'expired';
  seats: string[];
  amount: string;
  holdExpiresAt?: string;
  createdAt: string;
}

type Listener = () => void;

export class BookingStore {
  readonly appointments = new Map<string, Appointment>();
  readonly tickets = new Map<string, Ticket>();
  payments: Payment[] = [];
  private listeners = new Set<Listener>();
  private seq = 0;
  /** Counts changes the page made from an answer; a refresh that overlapped one is redone. */
  private local = 0;

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.appointments.clear();
    this.tickets.clear();
    this.payments = [];
    this.changed();
  }

  /** Reloads everything from the API (the truth after a reload or a missed event). */
  async refresh(attempts = 3): Promise<void> {
    const seq = ++this.seq;
    const local = this.local;
    const [appointments, tickets, payments] = await Promise.all([
      list<Appointment>('/v1/appointments'),
      list<Ticket>('/v1/transport/tickets'),
      list<Payment>('/v1/payments'),
    ]);
    if (seq !== this.seq) return;
    // A payment or booking answered while these lists were read may be missing from them: read
    // again rather than show an older state over a newer one.
    if (local !== this.local && attempts > 1) return this.refresh(attempts - 1);
    this.appointments.clear();
    this.tickets.clear();
    for (const a of appointments) this.appointments.set(a.id, a);
    for (const t of tickets) this.tickets.set(t.id, t);
    this.payments = payments;
    this.changed();
  }

  putAppointment(a: Appointment): void {
    this.local++;
    this.appointments.set(a.id, a);
    this.changed();
  }

  putTicket(t: Ticket): void {
    this.local++;
    this.tickets.set(t.id, t);
    this.changed();
  }

  /** A payment the page made or heard of: a succeeded one marks its target paid. */
  putPayment(p: Payment): void {
    this.local++;
    this.payments = [p, ...this.payments.filter((x) => x.id !== p.id)];
    if (p.status === 'succeeded') this.markPaid(p.kind, p.targetId);
    this.changed();
  }

  private markPaid(kind: string, targetId: string): void {
    const a = kind === 'appointment' ? this.appointments.get(targetId) : undefined;
    if (a) this.appointments.set(targetId, { ...a, paid: true });
    const t = kind === 'ticket' ? this.tickets.get(targetId) : undefined;
    if (t) this.tickets.set(targetId, { ...t, status: 'paid', holdExpiresAt: undefined });
  }

  /** The succeeded payment of a target, if any (its receipt). */
  paymentOf(kind: string, targetId: string): Payment | undefined {
    return this.payments.find((p) => p.kind === kind && p.targetId === targetId && p.status === 'succeeded');
  }

  isPaid(kind: string, targetId: string): boolean {
    if (kind === 'appointment') return this.appointments.get(targetId)?.paid === true;
    if (kind === 'ticket') return this.tickets.get(targetId)?.status === 'paid';
    return this.paymentOf(kind, targetId) !== undefined;
  }

  /** An event of the user:{id} channel: bookings change state, payments settle. */
  onUserEvent(e: ChannelEvent): void {
    const d = (e.event.data ?? {}) as Record<string, unknown>;
    if (e.event.type.startsWith('city.booking.') && typeof d.bookingId === 'string') {
      const id = d.bookingId;
      const status = String(d.status);
      const a = this.appointments.get(id);
      if (a) {
        if (status === 'paid') this.appointments.set(id, { ...a, paid: true });
        else if (status === 'cancelled') this.appointments.set(id, { ...a, status: 'cancelled' });
      }
      const t = this.tickets.get(id);
      if (t && ['held', 'paid', 'cancelled', 'expired'].includes(status)) {
        this.tickets.set(id, { ...t, status: status as Ticket['status'] });
      }
      // A booking made elsewhere (another tab or device): fetch its full record.
      if (!a && !t && e.event.type.endsWith('created.v1')) void this.refresh().catch(() => undefined);
      this.changed();
    } else if (e.event.type.startsWith('city.payment.') && typeof d.paymentId === 'string') {
      const known = this.payments.find((p) => p.id === d.paymentId);
      const status = String(d.status) as Payment['status'];
      if (known)
        this.putPayment({ ...known, status, updatedAt: typeof d.at === 'string' ? d.at : known.updatedAt });
      else void this.refresh().catch(() => undefined);
    }
  }
}
