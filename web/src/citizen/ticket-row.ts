// One ticket as a row (after holding it, and in "My bookings"): seats, amount, status; while
// held, the time left and Pay; when the hold runs out, Pay is disabled and the row says so.
import { fill, h } from '../dom.ts';
import { formatDateTime, formatMoney, inLanguage, t } from '../i18n/index.ts';
import { countdown } from './countdown.ts';
import { payButton } from './pay.ts';
import type { BookingStore, Ticket } from './store.ts';
import { resultLine } from './ui.ts';

/** Fired (bubbling) by a ticket row when its hold runs out while shown. */
export const HOLD_ENDED = 'hold-ended';

/** "G6010 · Dec 9, 2026, 7:05 AM · Shenzhen North → Guangzhou South", in the page's language. */
function departureOf(cur: Ticket): string {
  const d = cur.departure;
  if (!d) return cur.departureId;
  const from = inLanguage(d.from.station, d.from.stationNames);
  const to = inLanguage(d.to.station, d.to.stationNames);
  return `${d.serviceNo} · ${formatDateTime(d.departAt)} · ${from} → ${to}`;
}

/** The status a row shows: a hold whose time has passed is expired before the hub says so. */
function shownStatus(cur: Ticket): string {
  const overdue = cur.status === 'held' && !!cur.holdExpiresAt && Date.parse(cur.holdExpiresAt) <= Date.now();
  return overdue ? 'expired' : cur.status;
}

export function ticketRow(
  store: BookingStore,
  ticket: Ticket,
  extra?: (t: Ticket) => Node | null,
): HTMLElement {
  const row = h('div', { class: 'ticket-row', 'data-ticket': ticket.id });
  const out = resultLine();
  let last = '';
  const render = () => {
    const cur = store.tickets.get(ticket.id) ?? ticket;
    const status = shownStatus(cur);
    const expired = status === 'expired';
    last = status;
    row.dataset.status = status;
    const badge = h('span', { class: `badge status-${status}` }, t(`citizen:status.${status}`));
    const note = h('span', { class: 'hold-note' }, expired ? t('citizen:hold.expired') : '');
    const pay = status === 'held' ? payButton(store, 'ticket', cur.id, out, cur.amount) : null;
    const timer =
      status === 'held' && cur.holdExpiresAt
        ? countdown(cur.holdExpiresAt, () => {
            // The hold has ended: Pay can no longer succeed. The hub's own "expired" that follows
            // changes nothing more, so the row is not redrawn for it.
            if (pay) pay.disabled = true;
            last = 'expired';
            row.dataset.status = 'expired';
            badge.className = 'badge status-expired';
            badge.textContent = t('citizen:status.expired');
            note.textContent = t('citizen:hold.expired');
            holdEnded();
          })
        : null;
    fill(
      row,
      h('span', {}, t('citizen:ticket.title', { seats: cur.seats.join(', '), departure: departureOf(cur) })),
      h('span', {}, formatMoney(cur.amount)),
      badge,
      timer,
      note,
      pay,
      extra?.(cur) ?? null,
      out,
    );
  };
  // The seat is free again: a view showing seat counts listens for this.
  const holdEnded = () => row.dispatchEvent(new CustomEvent(HOLD_ENDED, { bubbles: true }));
  const off = store.onChange(() => {
    if (!row.isConnected) return off();
    const cur = store.tickets.get(ticket.id);
    if (!cur || cur.status === last || (last === 'expired' && cur.status === 'held')) return;
    // The hub said "expired" before the countdown got there.
    const endsHold = last === 'held' && shownStatus(cur) === 'expired';
    render();
    if (endsHold) holdEnded();
  });
  render();
  return row;
}
