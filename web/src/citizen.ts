// The citizen panel: book a doctor, hold and pay a coach ticket, pay a fine or an electricity
// bill, report an incident with a pin on the map, and "my bookings" (kept live by the events of
// the private user:{id} channel). Every POST carries an Idempotency-Key, generated once per form
// submission so a retried click never books or pays twice.
import { describe } from './air.ts';
import { api, list, newIdempotencyKey } from './api.ts';
import { CITIES, type CityId, type LatLon } from './cities.ts';
import { fill, h, text, timeOf } from './dom.ts';
import type { CityMap } from './map/index.ts';
import type { SessionStore } from './session.ts';
import type { ChannelEvent } from './events.ts';
import type { z } from 'zod';
import type {
  departmentResponse,
  doctorResponse,
  hospitalResponse,
  slotResponse,
} from '../../modules/appointments/index.ts';
import type { billResponse } from '../../modules/billing/index.ts';
import type { fineResponse } from '../../modules/fines/index.ts';
import type { paymentResponse } from '../../modules/payments/index.ts';
import type { departureResponse } from '../../modules/transport/index.ts';

// API shapes come from the server's schemas; type-only imports, so no server code is bundled.
type Payment = z.output<typeof paymentResponse>;
type Hospital = z.output<typeof hospitalResponse>;
type Department = z.output<typeof departmentResponse>;
type Doctor = z.output<typeof doctorResponse>;
type Slot = z.output<typeof slotResponse>;
type Departure = z.output<typeof departureResponse>;
type Fine = z.output<typeof fineResponse>;
type Bill = z.output<typeof billResponse>;
/** A fine or a bill, as the pay tab lists them. */
type Payable = Pick<Fine, 'id' | 'amount' | 'currency' | 'status'> &
  Partial<Pick<Fine, 'offence'> & Pick<Bill, 'period' | 'kwh'>>;
interface BookingRow {
  id: string;
  kind: string;
  status: string;
  title: string;
  at: string;
}

type Tab = 'doctor' | 'coach' | 'pay' | 'report' | 'bookings';
const TABS: [Tab, string][] = [
  ['doctor', 'Doctor'],
  ['coach', 'Coach'],
  ['pay', 'Fines & bills'],
  ['report', 'Report'],
  ['bookings', 'My bookings'],
];

export class CitizenPanel {
  readonly el: HTMLElement;
  readonly accountEl = h('div', { class: 'account', id: 'account' });
  private readonly body = h('div', { class: 'citizen-body' });
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private tab: Tab = 'doctor';
  private city: CityId = 'shenzhen';
  private bookings = new Map<string, BookingRow>();
  private reportPin: LatLon | null = null;
  private reportPinEl: HTMLElement | null = null;

  private readonly session: SessionStore;
  private readonly map: CityMap;

  constructor(session: SessionStore, map: CityMap) {
    this.session = session;
    this.map = map;
    const tabs = h('nav', { class: 'tabs', role: 'tablist' });
    for (const [id, label] of TABS) {
      const b = h(
        'button',
        { type: 'button', role: 'tab', 'data-tab': id, onclick: () => this.show(id) },
        label,
      );
      this.tabButtons.set(id, b);
      tabs.append(b);
    }
    this.el = h(
      'section',
      { class: 'panel citizen', id: 'citizen' },
      h('h2', {}, 'City services'),
      tabs,
      this.body,
    );
    map.onPick = (p) => {
      this.reportPin = p;
      map.setReportPin(p);
      if (this.reportPinEl) this.reportPinEl.textContent = `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
      if (this.tab !== 'report') this.show('report');
    };
    this.renderAccount();
    this.show('doctor');
  }

  setCity(city: CityId): void {
    this.city = city;
    this.reportPin = null;
    this.show(this.tab);
  }

  /** Reloads "my bookings" and the account line (after sign-in or a lost history window). */
  async refresh(): Promise<void> {
    this.renderAccount();
    this.bookings.clear();
    if (this.session.get()) {
      const [appointments, tickets] = await Promise.all([
        list<Record<string, unknown>>('/v1/appointments').catch(() => []),
        list<Record<string, unknown>>('/v1/transport/tickets').catch(() => []),
      ]);
      for (const a of appointments) this.upsertRow(rowFromResource('appointment', a));
      for (const t of tickets) this.upsertRow(rowFromResource('ticket', t));
    }
    this.show(this.tab);
  }

  /** An event of the user:{id} channel: bookings and payments. */
  onUserEvent(e: ChannelEvent): void {
    const d = e.event.data as Record<string, unknown>;
    if (e.event.type.startsWith('city.booking.') && typeof d.bookingId === 'string') {
      const details = (d.details ?? {}) as Record<string, unknown>;
      this.upsertRow(
        {
          id: d.bookingId,
          kind: String(d.kind),
          status: String(d.status),
          title: titleOf(String(d.kind), details),
          at: text(d.at) || e.event.time,
        },
        true,
      );
      if (this.tab === 'bookings') this.show('bookings');
    }
  }

  /** From a resource (full details), or from an event (`statusOnly`: keeps the richer title). */
  private upsertRow(r: BookingRow | null, statusOnly = false): void {
    if (!r) return;
    const prev = this.bookings.get(r.id);
    this.bookings.set(r.id, prev && statusOnly ? { ...prev, status: r.status } : r);
  }

  private show(tab: Tab): void {
    this.tab = tab;
    for (const [id, b] of this.tabButtons) b.setAttribute('aria-selected', String(id === tab));
    if (tab !== 'report') this.map.setReportPin(null);
    if (!this.session.get() && tab !== 'report') {
      fill(
        this.body,
        h('p', { class: 'note' }, 'Sign in (at the top of the page) to book, pay and see your bookings.'),
      );
      return;
    }
    const render = {
      doctor: () => this.doctorForm(),
      coach: () => this.coachForm(),
      pay: () => this.payForm(),
      report: () => this.reportForm(),
      bookings: () => this.bookingList(),
    }[tab];
    fill(this.body, render());
  }

  private renderAccount(): void {
    const s = this.session.get();
    if (s) {
      fill(
        this.accountEl,
        h('span', { class: 'who', 'data-user': s.sub }, s.sub),
        h('button', { type: 'button', class: 'link', onclick: () => this.session.signOut() }, 'Sign out'),
      );
      return;
    }
    const name = h('input', {
      name: 'name',
      placeholder: 'your name',
      'aria-label': 'Name',
      value: `citizen-${Math.random().toString(36).slice(2, 6)}`,
      size: 12,
    });
    const msg = h('small', { class: 'error' });
    const form = h(
      'form',
      { class: 'signin' },
      name,
      h('button', { type: 'submit' }, 'Sign in'),
      h('button', { type: 'button', class: 'link', onclick: () => this.pasteToken(msg) }, 'token…'),
      msg,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.session.signInDemo(name.value.trim()).catch((err: unknown) => {
        msg.textContent =
          describe(err).includes('no route') || describe(err).includes('404')
            ? 'demo sign-in is off; use a token'
            : describe(err);
      });
    });
    fill(this.accountEl, form);
  }

  private pasteToken(msg: HTMLElement): void {
    const token = prompt('Paste a citizen token (citystream token --sub <you>)');
    if (!token) return;
    try {
      this.session.signInWithToken(token.trim());
    } catch (err) {
      msg.textContent = describe(err);
    }
  }

  // ---- forms ----------------------------------------------------------------------------

  private doctorForm(): HTMLElement {
    const hospital = select('hospital', 'Hospital');
    const department = select('department', 'Department');
    const doctor = select('doctor', 'Doctor');
    const date = h('input', { type: 'date', name: 'date', value: isoDate(1), 'aria-label': 'Date' });
    const slot = select('slot', 'Time slot');
    const patientName = input('patientName', 'Patient name');
    const idNumber = input('idNumber', 'ID number', '440300199001011234');
    const phone = input('phone', 'Phone', '13800138000');
    const out = h('p', { class: 'result', 'data-testid': 'doctor-result' });

    const loadInto = async <T extends { id: string }>(
      sel: HTMLSelectElement,
      path: string,
      label: (x: T) => string,
      full: (x: T) => boolean = () => false,
    ) => {
      fill(sel, h('option', { value: '' }, 'loading…'));
      try {
        const rows = await list<T>(path);
        fill(
          sel,
          rows.length
            ? rows.map((r) => h('option', { value: r.id, disabled: full(r) }, label(r)))
            : h('option', { value: '' }, 'none'),
        );
        const firstFree = [...sel.options].find((o) => !o.disabled);
        if (firstFree) sel.value = firstFree.value;
      } catch (err) {
        fill(sel, h('option', { value: '' }, 'unavailable'));
        out.textContent = describe(err);
      }
      sel.dispatchEvent(new Event('change'));
    };
    hospital.addEventListener('change', () => {
      if (hospital.value)
        void loadInto<Department>(
          department,
          `/v1/hospitals/${enc(hospital.value)}/departments`,
          (d) => d.name,
        );
    });
    department.addEventListener('change', () => {
      if (department.value)
        void loadInto<Doctor>(
          doctor,
          `/v1/doctors?departmentId=${enc(department.value)}`,
          (d) => `${d.name}${d.title ? ` (${d.title})` : ''}`,
        );
    });
    const loadSlots = () => {
      if (doctor.value && date.value)
        void loadInto<Slot>(
          slot,
          `/v1/doctors/${enc(doctor.value)}/slots?date=${date.value}`,
          slotLabel,
          (x) => x.available === 0 || x.status === 'busy',
        );
    };
    doctor.addEventListener('change', loadSlots);
    date.addEventListener('change', loadSlots);
    void loadInto<Hospital>(hospital, `/v1/hospitals?city=${this.city}`, (x) => x.name);

    const key = newIdempotencyKey();
    const form = h(
      'form',
      { class: 'form', 'data-form': 'doctor' },
      field('Hospital', hospital),
      field('Department', department),
      field('Doctor', doctor),
      field('Date', date),
      field('Slot', slot),
      field('Patient', patientName),
      field('ID number', idNumber),
      field('Phone', phone),
      h('button', { type: 'submit' }, 'Book appointment'),
      out,
    );
    patientName.value = this.session.get()?.sub ?? '';
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      out.textContent = 'Booking…';
      api<Record<string, unknown>>('/v1/appointments', {
        body: {
          slotId: slot.value,
          patient: { name: patientName.value, idNumber: idNumber.value, phone: phone.value },
        },
        idempotencyKey: key,
      }).then(
        (a) => {
          const row = rowFromResource('appointment', a);
          this.upsertRow(row);
          fill(
            out,
            `Booked: ${row?.title ?? 'appointment'} (${text(a.status) || 'booked'}). `,
            text(a.fee) && a.paid !== true
              ? this.payButton('appointment', text(a.id), out, `Pay ${text(a.fee)} CNY`)
              : null,
          );
          out.dataset.bookingId = text(a.id);
        },
        (err: unknown) => (out.textContent = `Not booked: ${describe(err)}`),
      );
    });
    return form;
  }

  private coachForm(): HTMLElement {
    const cityOptions = () => CITIES.map((c) => h('option', { value: c.id }, c.name));
    const from = h('select', { name: 'from', 'aria-label': 'From' }, cityOptions());
    const to = h('select', { name: 'to', 'aria-label': 'To' }, cityOptions());
    from.value = this.city;
    to.value = CITIES.find((c) => c.id !== this.city)!.id;
    const date = h('input', { type: 'date', name: 'date', value: isoDate(1), 'aria-label': 'Date' });
    const departures = h('ul', { class: 'choices', 'data-testid': 'departures' });
    const out = h('div', { class: 'result', 'data-testid': 'coach-result' });
    const passenger = input('passenger', 'Passenger name');
    passenger.value = this.session.get()?.sub ?? '';
    const idNumber = input('idNumber', 'ID number', '440300199001011234');

    const search = async () => {
      fill(departures, h('li', {}, 'searching…'));
      try {
        const rows = await list<Departure>(
          `/v1/transport/departures?from=${from.value}&to=${to.value}&date=${date.value}`,
        );
        fill(
          departures,
          rows.length
            ? rows.map((d) =>
                h(
                  'li',
                  { 'data-departure': d.id },
                  h('span', {}, `${timeOf(d.departAt)} ${d.mode} ${d.serviceNo}`),
                  h('span', {}, `${d.from.station} → ${d.to.station}`),
                  h('span', {}, `${d.price} ${d.currency}`),
                  h('span', {}, `${d.seatsFree} seats`),
                  h(
                    'button',
                    { type: 'button', onclick: () => void hold(d), disabled: d.seatsFree === 0 },
                    'Hold seat',
                  ),
                ),
              )
            : h('li', {}, 'no departures that day'),
        );
      } catch (err) {
        fill(departures, h('li', { class: 'error' }, describe(err)));
      }
    };
    const hold = async (d: Departure) => {
      out.textContent = 'Holding…';
      try {
        const ticket = await api<Record<string, unknown>>('/v1/transport/tickets', {
          body: {
            departureId: d.id,
            count: 1,
            passenger: { name: passenger.value, idNumber: idNumber.value },
          },
          idempotencyKey: newIdempotencyKey(),
        });
        this.upsertRow(rowFromResource('ticket', ticket));
        const ticketId = String(ticket.id);
        fill(
          out,
          h(
            'p',
            { 'data-ticket': ticketId },
            `Held ${ticketId}${Array.isArray(ticket.seats) ? `, seat ${ticket.seats.map(text).join(', ')}` : ''}${
              ticket.holdExpiresAt ? ` until ${timeOf(text(ticket.holdExpiresAt))}` : ''
            }. `,
          ),
          this.payButton('ticket', ticketId, out, `Pay ${text(ticket.amount)} CNY`),
        );
      } catch (err) {
        out.textContent = `Not held: ${describe(err)}`;
      }
    };
    const form = h(
      'form',
      { class: 'form', 'data-form': 'coach' },
      field('From', from),
      field('To', to),
      field('Date', date),
      field('Passenger', passenger),
      field('ID number', idNumber),
      h('button', { type: 'submit' }, 'Find departures'),
      departures,
      out,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void search();
    });
    return form;
  }

  private payForm(): HTMLElement {
    const plate = input('plate', 'Plate', '粤B12345');
    const engine = input('engineNoSuffix', 'Engine no. (last 6)', '045128');
    const fines = h('ul', { class: 'choices', 'data-testid': 'fines' });
    const account = input('accountNo', 'Electricity account no.', '0755100200301');
    const bills = h('ul', { class: 'choices', 'data-testid': 'bills' });
    const out = h('div', { class: 'result' });

    // Paying a fine or bill proves what its lookup proved: the values the list was found with.
    const show = (
      target: HTMLElement,
      kind: 'traffic_fine' | 'electricity_bill',
      proof: Record<string, string>,
      rows: Payable[],
    ) =>
      fill(
        target,
        rows.length
          ? rows.map((r) =>
              h(
                'li',
                {},
                h(
                  'span',
                  {},
                  r.offence ?? (r.period ? `${r.period}${r.kwh ? ` · ${r.kwh} kWh` : ''}` : r.id),
                ),
                h('span', {}, `${r.amount} ${r.currency}`),
                h('span', { class: `badge status-${r.status}` }, r.status),
                r.status === 'paid' ? null : this.payButton(kind, r.id, out, 'Pay', proof),
              ),
            )
          : h('li', {}, 'nothing to pay'),
      );
    const fineForm = h(
      'form',
      { class: 'form', 'data-form': 'fines' },
      h('h3', {}, 'Traffic fines'),
      field('Plate', plate),
      field('Engine no.', engine),
      h('button', { type: 'submit' }, 'Look up fines'),
      fines,
    );
    fineForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const proof = { plate: plate.value, engineNoSuffix: engine.value };
      list<Fine>(`/v1/fines?plate=${enc(proof.plate)}&engineNoSuffix=${enc(proof.engineNoSuffix)}`).then(
        (rows) => show(fines, 'traffic_fine', proof, rows),
        (err: unknown) => fill(fines, h('li', { class: 'error' }, describe(err))),
      );
    });
    const billForm = h(
      'form',
      { class: 'form', 'data-form': 'bills' },
      h('h3', {}, 'Electricity bills'),
      field('Account no.', account),
      h('button', { type: 'submit' }, 'Look up bills'),
      bills,
    );
    billForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const proof = { accountNo: account.value };
      list<Bill>(`/v1/utilities/electricity/accounts/${enc(proof.accountNo)}/bills`).then(
        (rows) => show(bills, 'electricity_bill', proof, rows),
        (err: unknown) => fill(bills, h('li', { class: 'error' }, describe(err))),
      );
    });
    return h('div', {}, fineForm, billForm, out);
  }

  private payButton(
    kind: string,
    targetId: string,
    out: HTMLElement,
    label = 'Pay',
    proof: Record<string, string> = {},
  ): HTMLButtonElement {
    const key = newIdempotencyKey();
    const button = h('button', { type: 'button', 'data-pay': targetId }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      out.textContent = 'Paying…';
      void (async () => {
        try {
          const p = await api<Payment>('/v1/payments', {
            body: { kind, targetId, ...proof },
            idempotencyKey: key,
          });
          const done =
            p.status === 'succeeded'
              ? p
              : await api<Payment>(`/v1/payments/${enc(p.id)}/confirm`, {
                  body: {},
                  idempotencyKey: `${key}:confirm`,
                });
          out.textContent = `Payment ${done.status}: ${done.amount} ${done.currency}`;
          out.dataset.paymentStatus = done.status;
        } catch (err) {
          out.textContent = `Payment failed: ${describe(err)}`;
          button.disabled = false;
        }
      })();
    });
    return button;
  }

  private reportForm(): HTMLElement {
    const category = select('category', 'Category');
    const description = h('textarea', {
      name: 'description',
      rows: 3,
      'aria-label': 'Description',
      required: true,
    });
    this.reportPinEl = h(
      'span',
      { class: 'pin-coords', 'data-testid': 'report-pin' },
      'click the map to place a pin',
    );
    if (this.reportPin) {
      this.reportPinEl.textContent = `${this.reportPin.lat.toFixed(5)}, ${this.reportPin.lon.toFixed(5)}`;
      this.map.setReportPin(this.reportPin);
    }
    const reporterName = input('reporterName', 'Your name');
    reporterName.value = this.session.get()?.sub ?? '';
    const reporterPhone = input('reporterPhone', 'Your phone (for the police to reach you)', '13800138000');
    const out = h('p', { class: 'result', 'data-testid': 'report-result' });
    list<{ id?: string; code?: string; name?: string; label?: string } | string>(
      '/v1/incidents/categories',
    ).then(
      (rows) =>
        fill(
          category,
          rows.map((c) =>
            typeof c === 'string'
              ? h('option', { value: c }, c.replace(/_/g, ' '))
              : h('option', { value: c.id ?? c.code ?? '' }, c.name ?? c.label ?? c.id ?? c.code ?? ''),
          ),
        ),
      (err: unknown) => (out.textContent = `Categories unavailable: ${describe(err)}`),
    );
    const key = newIdempotencyKey();
    const form = h(
      'form',
      { class: 'form', 'data-form': 'report' },
      field('Category', category),
      field('What happened', description),
      field('Where', this.reportPinEl),
      field('Your name', reporterName),
      field('Your phone', reporterPhone),
      h('button', { type: 'submit' }, 'Report incident'),
      out,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!this.reportPin) {
        out.textContent = 'Click the map to pin where it is.';
        return;
      }
      out.textContent = 'Sending…';
      api<Record<string, unknown>>('/v1/incidents', {
        body: {
          category: category.value,
          description: description.value,
          lat: this.reportPin.lat,
          lon: this.reportPin.lon,
          reporter: { name: reporterName.value, phone: reporterPhone.value },
        },
        idempotencyKey: key,
      }).then(
        (r) => {
          out.textContent = `Reported (${text(r.status) || 'submitted'}), reference ${text(r.id ?? r.incidentId)}`;
        },
        (err: unknown) => (out.textContent = `Not reported: ${describe(err)}`),
      );
    });
    return form;
  }

  private bookingList(): HTMLElement {
    const rows = [...this.bookings.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    return h(
      'ul',
      { class: 'bookings', 'data-testid': 'my-bookings' },
      rows.length
        ? rows.map((r) =>
            h(
              'li',
              { 'data-booking': r.id, 'data-status': r.status },
              h('span', { class: 'booking-kind' }, r.kind),
              h('span', {}, r.title),
              h('span', { class: `badge status-${r.status}` }, r.status),
            ),
          )
        : h('li', { class: 'note' }, 'No bookings yet.'),
    );
  }
}

function rowFromResource(kind: string, r: Record<string, unknown>): BookingRow | null {
  const id = r.id ?? r.bookingId ?? r.appointmentId ?? r.ticketId;
  if (typeof id !== 'string') return null;
  return {
    id,
    kind,
    status: text(r.status) || 'booked',
    title: titleOf(kind, r),
    at: text(r.createdAt) || text(r.at) || new Date().toISOString(),
  };
}

/** A line for "my bookings" from an appointment or ticket resource, or a booking event's details. */
function titleOf(kind: string, d: Record<string, unknown>): string {
  const name = (v: unknown) => (v && typeof v === 'object' ? text((v as { name?: unknown }).name) : '');
  const when = text(d.start) || text(d.departAt);
  const seats = Array.isArray(d.seats) ? `seat ${d.seats.map(text).join(', ')}` : '';
  const parts =
    kind === 'appointment'
      ? [name(d.doctor), text(d.department), name(d.hospital)]
      : [text(d.departureId), seats];
  const what = parts.filter(Boolean).join(', ');
  return [what, when ? new Date(when).toLocaleString() : ''].filter(Boolean).join(' · ') || kind;
}

function slotLabel(s: Slot): string {
  return `${timeOf(s.start)} · ${s.available} left · ${s.fee} ${s.currency}`;
}

function select(name: string, label: string): HTMLSelectElement {
  return h('select', { name, 'aria-label': label, required: true });
}

function input(name: string, label: string, value = ''): HTMLInputElement {
  return h('input', { name, 'aria-label': label, value, required: true });
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

/** A calendar day in China Standard Time (UTC+8), the pilot cities' day, `daysAhead` from today. */
function isoDate(daysAhead: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);
}

const enc = encodeURIComponent;
