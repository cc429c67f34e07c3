// "My bookings": appointments and tickets with Pay and Cancel (the refund shown when one is due),
// and receipts of what was paid (amount, time, payment id). Drawn from the store, so it agrees
// with every other view, and redrawn when the store changes.
import { Attempt } from '../api.ts';
import { fill, h } from '../dom.ts';
import { formatDateTime, formatMoney, inLanguage, localName, t } from '../i18n/index.ts';
import { payButton } from './pay.ts';
import type { Appointment, BookingStore, Ticket } from './store.ts';
import { ticketRow } from './ticket-row.ts';
import { explain, resultLine, say } from './ui.ts';

/** Cancel results outlive a redraw: keyed by booking id. */
const cancelNotes = new Map<string, string>();

export function bookingsView(store: BookingStore): HTMLElement {
  const el = h('div', { class: 'my-bookings' });
  const render = () => {
    const appointments = [...store.appointments.values()].sort(byNewest);
    const tickets = [...store.tickets.values()].sort(byNewest);
    const receipts = store.payments.filter((p) => p.status === 'succeeded' || p.status === 'refunded');
    fill(
      el,
      h('h3', {}, t('citizen:bookings.appointments')),
      h(
        'ul',
        { class: 'bookings', 'data-testid': 'my-bookings' },
        appointments.length || tickets.length
          ? [
              ...appointments.map((a) => appointmentRow(store, a)),
              ...tickets.map((x) => ticketItem(store, x)),
            ]
          : h('li', { class: 'note' }, t('citizen:bookings.none')),
      ),
      h('h3', {}, t('citizen:bookings.receipts')),
      h(
        'ul',
        { class: 'receipts', 'data-testid': 'receipts' },
        receipts.length
          ? receipts.map((p) =>
              h(
                'li',
                { 'data-receipt': p.id, 'data-target': p.targetId, 'data-status': p.status },
                h('span', { class: 'receipt-kind' }, t(`citizen:kind.${p.kind}`)),
                h('span', { class: 'receipt-amount' }, formatMoney(p.amount)),
                h('time', { datetime: p.updatedAt }, formatDateTime(p.updatedAt)),
                h('span', { class: `badge status-${p.status}` }, t(`citizen:status.${p.status}`)),
                h('code', { class: 'receipt-id' }, p.id),
              ),
            )
          : h('li', { class: 'note' }, t('citizen:bookings.noReceipts')),
      ),
    );
  };
  let pending = false;
  const off = store.onChange(() => {
    if (!el.isConnected) return off();
    // Several changes in a row (a payment and its events) redraw once.
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      render();
    });
  });
  render();
  return el;
}

function byNewest(a: { createdAt: string }, b: { createdAt: string }): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}

/** Who, which department, which hospital and when, in the page's language. */
export function appointmentSummary(a: Appointment): string {
  return t('citizen:doctor.booked', {
    doctor: localName(a.doctor),
    department: inLanguage(a.department, a.departmentNames),
    hospital: localName(a.hospital),
    when: formatDateTime(a.start),
  });
}

/** Where an appointment is: the hospital's address in the page's language (data, not translated). */
export function appointmentAddress(a: Appointment): HTMLElement | null {
  return a.hospital.address
    ? h(
        'span',
        { class: 'booking-address', translate: 'no', 'data-field': 'address' },
        inLanguage(a.hospital.address, a.hospital.addresses),
      )
    : null;
}

function appointmentRow(store: BookingStore, a: Appointment): HTMLElement {
  const out = resultLine();
  const status = a.status === 'booked' && a.paid ? 'paid' : a.status;
  if (cancelNotes.has(a.id)) say(out, 'ok', cancelNotes.get(a.id)!);
  return h(
    'li',
    { 'data-booking': a.id, 'data-kind': 'appointment', 'data-status': status },
    h('span', { class: 'booking-kind' }, t('citizen:kind.appointment')),
    h('span', {}, appointmentSummary(a)),
    h('span', {}, formatMoney(a.fee)),
    h('span', { class: `badge status-${status}` }, t(`citizen:status.${status}`)),
    a.status === 'booked' && !a.paid ? payButton(store, 'appointment', a.id, out, a.fee) : null,
    a.status === 'booked'
      ? cancelButton(store, `/v1/appointments/${encodeURIComponent(a.id)}/cancel`, a.id, out)
      : null,
    appointmentAddress(a),
    out,
  );
}

function ticketItem(store: BookingStore, x: Ticket): HTMLElement {
  const li = h('li', { 'data-booking': x.id, 'data-kind': 'ticket', 'data-status': x.status });
  const out = resultLine();
  if (cancelNotes.has(x.id)) say(out, 'ok', cancelNotes.get(x.id)!);
  li.append(
    h('span', { class: 'booking-kind' }, t('citizen:kind.ticket')),
    ticketRow(store, x, (cur) =>
      cur.status === 'held' || cur.status === 'paid'
        ? cancelButton(store, `/v1/transport/tickets/${encodeURIComponent(cur.id)}/cancel`, cur.id, out)
        : null,
    ),
    out,
  );
  return li;
}

function cancelButton(store: BookingStore, path: string, id: string, out: HTMLElement): HTMLButtonElement {
  const attempt = new Attempt();
  const button = h(
    'button',
    { type: 'button', class: 'secondary', 'data-cancel': id },
    t('citizen:bookings.cancel'),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    say(out, 'busy', t('citizen:bookings.cancelling'));
    attempt.post<{ payment?: string; fee?: string; amount?: string }>(path, {}).then(
      async (r) => {
        const amount = formatMoney(r.fee ?? r.amount ?? '0');
        const note =
          r.payment === 'refunded'
            ? t('citizen:bookings.cancelledRefund', { amount })
            : t('citizen:bookings.cancelled');
        cancelNotes.set(id, note);
        say(out, 'ok', note);
        await store.refresh().catch(() => undefined);
      },
      (err: unknown) => {
        say(out, 'error', t('citizen:bookings.cancelFailed', { reason: explain(err) }));
        button.disabled = false;
      },
    );
  });
  return button;
}
