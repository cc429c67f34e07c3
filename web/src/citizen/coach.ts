// Coach and rail: find departures, hold a seat, pay before the hold ends. Departures that have
// left cannot be held; seat counts reload after each hold and when a hold ends; a held ticket
// counts down and, at zero, its Pay is disabled and the row says the hold ended.
import { Attempt, list } from '../api.ts';
import { CITIES, type CityId, cityOptions } from '../cities.ts';
import { fill, h } from '../dom.ts';
import { formatMoney, formatTime, inLanguage, t } from '../i18n/index.ts';
import type { z } from 'zod';
import type { departureResponse } from '../../../modules/transport/index.ts';
import { HOLD_ENDED, ticketRow } from './ticket-row.ts';
import type { BookingStore, Ticket } from './store.ts';
import {
  clearFieldErrors,
  cstDay,
  explain,
  field,
  input,
  daySelect,
  resultLine,
  say,
  showFieldErrors,
} from './ui.ts';
import { validator } from './validate.ts';

type Departure = z.output<typeof departureResponse>;

export function coachForm(city: CityId, store: BookingStore, passengerName: string): HTMLElement {
  const from = h('select', { name: 'from' }, cityOptions());
  const to = h('select', { name: 'to' }, cityOptions());
  from.value = city;
  to.value = CITIES.find((c) => c.id !== city)!.id;
  const date = daySelect('date', 1);
  const passenger = input('passenger', { autocomplete: 'name', value: passengerName });
  const idNumber = input('idNumber', { autocomplete: 'off', maxlength: 30 });
  const departures = h('ul', { class: 'choices', 'data-testid': 'departures' });
  const out = resultLine('coach-result');
  const held = h('div', { class: 'booked' });
  const controls = { name: passenger, idNumber };
  const required = (v: string) => (v.trim() ? null : t('citizen:validation.required'));
  const checks = validator([
    [passenger, required],
    [idNumber, required],
  ]);
  const attempt = new Attempt();

  const search = async () => {
    fill(departures, h('li', {}, t('citizen:coach.searching')));
    try {
      const rows = await list<Departure>(
        `/v1/transport/departures?from=${from.value}&to=${to.value}&date=${date.value}`,
      );
      fill(departures, rows.length ? rows.map(departureRow) : h('li', {}, t('citizen:coach.none')));
    } catch (err) {
      fill(departures, h('li', { class: 'error' }, explain(err)));
    }
  };
  /** "07:05–07:40", and "+1" when it arrives the next day (China Standard Time). */
  const timesOf = (d: Departure) => {
    const next = cstDay(d.arriveAt) !== cstDay(d.departAt) ? ' +1' : '';
    return `${formatTime(d.departAt).slice(0, 5)}–${formatTime(d.arriveAt).slice(0, 5)}${next}`;
  };
  const durationOf = (d: Departure) => {
    const minutes = Math.round((Date.parse(d.arriveAt) - Date.parse(d.departAt)) / 60_000);
    const hours = Math.floor(minutes / 60);
    return hours > 0
      ? t('citizen:coach.durationHours', { hours, minutes: minutes % 60 })
      : t('citizen:coach.durationMinutes', { minutes });
  };
  const departureRow = (d: Departure) => {
    const left = Date.parse(d.departAt) <= Date.now();
    const button = h(
      'button',
      { type: 'button', disabled: left || d.seatsFree === 0, onclick: () => void hold(d, button) },
      left ? t('citizen:coach.departed') : t('citizen:coach.hold'),
    );
    return h(
      'li',
      { 'data-departure': d.id, 'data-departed': String(left) },
      h('span', { 'data-field': 'times' }, `${timesOf(d)} ${d.serviceNo}`),
      h(
        'span',
        {},
        `${inLanguage(d.from.station, d.from.stationNames)} → ${inLanguage(d.to.station, d.to.stationNames)}`,
      ),
      h('span', { class: 'operator', 'data-field': 'operator' }, inLanguage(d.operator, d.operatorNames)),
      h('span', { 'data-field': 'duration' }, durationOf(d)),
      h('span', {}, formatMoney(d.price)),
      h('span', { 'data-field': 'seats' }, t('citizen:coach.seats', { count: d.seatsFree })),
      button,
    );
  };
  const hold = async (d: Departure, button: HTMLButtonElement) => {
    clearFieldErrors(controls);
    if (!checks.check()) {
      say(out, 'error', t('citizen:form.fix'));
      return;
    }
    button.disabled = true;
    say(out, 'busy', t('citizen:coach.holding'));
    try {
      const ticket = await attempt.post<Ticket>('/v1/transport/tickets', {
        departureId: d.id,
        count: 1,
        passenger: { name: passenger.value.trim(), idNumber: idNumber.value.trim() },
      });
      store.putTicket(ticket);
      say(out, 'ok', t('citizen:coach.held'));
      held.replaceChildren(ticketRow(store, ticket));
    } catch (err) {
      showFieldErrors(err, controls);
      say(out, 'error', t('citizen:coach.failed', { reason: explain(err) }));
    }
    // Seats changed (ours, or someone else's when refused): show the true counts.
    await search();
  };
  const form = h(
    'form',
    { class: 'form', 'data-form': 'coach', novalidate: true },
    field(t('citizen:coach.from'), from),
    field(t('citizen:coach.to'), to),
    field(t('citizen:coach.date'), date),
    field(t('citizen:coach.passenger'), passenger),
    field(t('citizen:coach.idNumber'), idNumber),
    h('button', { type: 'submit' }, t('citizen:coach.search')),
    departures,
    out,
    held,
  );
  // The seat of a hold that ran out is free again: show it in the counts, and take back "held,
  // pay before the time runs out" (the row now says the hold ended).
  held.addEventListener(HOLD_ENDED, () => {
    if (out.dataset.kind === 'ok') {
      delete out.dataset.kind;
      out.replaceChildren();
    }
    void search();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void search();
  });
  return form;
}
