// Book a doctor: hospital → department → doctor → day → slot, then the patient. The days are the
// doctor's bookable ones as the hub lists them, each with the places left (a full one is shown but
// cannot be chosen). The ID number and phone are never pre-filled and are checked as typed; after a
// booking the days and slots reload (so the counts left are true) and the result row offers Pay
// until the store says it is paid.
import { Attempt, list } from '../api.ts';
import type { CityId } from '../cities.ts';
import { fill, h } from '../dom.ts';
import { formatBookingDay, formatMoney, formatTime, inLanguage, localName, t } from '../i18n/index.ts';
import type { z } from 'zod';
import type {
  departmentResponse,
  doctorResponse,
  hospitalResponse,
  slotDay,
  slotResponse,
} from '../../../modules/appointments/index.ts';
import { appointmentAddress, appointmentSummary } from './bookings.ts';
import { payButton } from './pay.ts';
import type { Appointment, BookingStore } from './store.ts';
import {
  clearFieldErrors,
  enc,
  explain,
  field,
  input,
  isoDate,
  resultLine,
  say,
  select,
  showFieldErrors,
} from './ui.ts';
import { phoneError, residentIdError, validator } from './validate.ts';

type Hospital = z.output<typeof hospitalResponse>;
type Department = z.output<typeof departmentResponse>;
type Doctor = z.output<typeof doctorResponse>;
type Slot = z.output<typeof slotResponse>;
type SlotDay = z.output<typeof slotDay>;

const DAY_MS = 86_400_000;

export function doctorForm(city: CityId, store: BookingStore, patientName: string): HTMLElement {
  const hospital = select('hospital');
  const department = select('department');
  const doctor = select('doctor');
  const date = select('date');
  const slot = select('slot');
  const name = input('patientName', { autocomplete: 'name', value: patientName });
  const idNumber = input('idNumber', { inputmode: 'text', maxlength: 18, autocomplete: 'off' });
  const phone = input('phone', { type: 'tel', inputmode: 'tel', autocomplete: 'tel' });
  const out = resultLine('doctor-result');
  const booked = h('div', { class: 'booked' });
  const controls = { slotId: slot, name, idNumber, phone };
  const checks = validator([
    [idNumber, residentIdError],
    [phone, (v) => phoneError(v)],
  ]);

  const loadInto = async <T extends { id: string }>(
    sel: HTMLSelectElement,
    path: string,
    label: (x: T) => string,
    full: (x: T) => boolean = () => false,
    keep = '',
  ) => {
    fill(sel, h('option', { value: '' }, t('common:loading')));
    try {
      const rows = await list<T>(path);
      fill(
        sel,
        rows.length
          ? rows.map((r) => h('option', { value: r.id, disabled: full(r) }, label(r)))
          : h('option', { value: '' }, t('citizen:doctor.none')),
      );
      const kept = [...sel.options].find((o) => o.value === keep && !o.disabled);
      const firstFree = kept ?? [...sel.options].find((o) => !o.disabled);
      if (firstFree) sel.value = firstFree.value;
    } catch (err) {
      fill(sel, h('option', { value: '' }, t('citizen:doctor.unavailable')));
      say(out, 'error', explain(err));
    }
    sel.dispatchEvent(new Event('change'));
  };
  hospital.addEventListener('change', () => {
    if (hospital.value)
      void loadInto<Department>(department, `/v1/hospitals/${enc(hospital.value)}/departments`, (d) =>
        localName(d),
      );
  });
  department.addEventListener('change', () => {
    if (department.value)
      void loadInto<Doctor>(doctor, `/v1/doctors?departmentId=${enc(department.value)}`, (d) =>
        d.title
          ? t('citizen:doctor.doctorOption', { name: localName(d), title: inLanguage(d.title, d.titles) })
          : localName(d),
      );
  });
  const loadSlots = (keep = '') => {
    if (doctor.value && date.value)
      return loadInto<Slot>(
        slot,
        `/v1/doctors/${enc(doctor.value)}/slots?date=${date.value}`,
        (s) =>
          t('citizen:doctor.slot', {
            time: formatTime(s.start).slice(0, 5),
            count: s.available,
            fee: formatMoney(s.fee),
          }),
        (x) => x.available === 0 || x.status === 'busy' || Date.parse(x.start) <= Date.now(),
        keep,
      );
    return Promise.resolve();
  };
  /**
   * The doctor's days, each named with the places left, then that day's slots; keeps the chosen day
   * while it has places, and `keepSlot` in it.
   */
  const loadDays = async (keepSlot = '') => {
    const keep = date.value;
    fill(date, h('option', { value: '' }, t('common:loading')));
    try {
      const today = isoDate(0);
      const days = await list<SlotDay>(`/v1/doctors/${enc(doctor.value)}/days`);
      fill(
        date,
        days.length
          ? days.map((d) => {
              const day = formatBookingDay(
                d.date,
                Math.round((Date.parse(d.date) - Date.parse(today)) / DAY_MS),
              );
              return h(
                'option',
                { value: d.date, disabled: d.available === 0 },
                d.available === 0
                  ? t('citizen:doctor.dayFull', { day })
                  : t('citizen:doctor.day', { day, count: d.available }),
              );
            })
          : h('option', { value: '' }, t('citizen:doctor.noDays')),
      );
      const open = [...date.options].filter((o) => o.value && !o.disabled);
      // The day chosen before, else tomorrow (today's places are mostly gone), else the first open.
      const pick = open.find((o) => o.value === keep) ?? open.find((o) => o.value === isoDate(1)) ?? open[0];
      if (pick) date.value = pick.value;
    } catch (err) {
      fill(date, h('option', { value: '' }, t('citizen:doctor.unavailable')));
      say(out, 'error', explain(err));
    }
    await loadSlots(keepSlot);
  };
  doctor.addEventListener('change', () => void (doctor.value ? loadDays() : loadSlots()));
  date.addEventListener('change', () => void loadSlots());
  // Under the hospital: its grade and address (where to go), in the page's language.
  const hospitalField = field(t('citizen:doctor.hospital'), hospital, '\u00a0');
  const hospitalInfo = hospitalField.querySelector<HTMLElement>('.field-hint')!;
  hospitalInfo.dataset.testid = 'hospital-info';
  hospitalInfo.translate = false;
  const hospitals = new Map<string, Hospital>();
  const showHospital = () => {
    const x = hospitals.get(hospital.value);
    hospitalInfo.textContent = x
      ? `${inLanguage(x.grade, x.grades)} · ${inLanguage(x.address, x.addresses)}`
      : '\u00a0';
  };
  hospital.addEventListener('change', showHospital);
  void loadInto<Hospital>(hospital, `/v1/hospitals?city=${city}`, (x) => {
    hospitals.set(x.id, x);
    return localName(x);
  });

  const showBooked = (a: Appointment) => {
    const row = h('div', { class: 'booked-row', 'data-booking': a.id });
    const rowOut = resultLine();
    const render = () => {
      const cur = store.appointments.get(a.id) ?? a;
      const paid = cur.paid;
      fill(
        row,
        h('span', {}, appointmentSummary(cur)),
        h(
          'span',
          { class: `badge status-${paid ? 'paid' : cur.status}` },
          t(`citizen:status.${paid ? 'paid' : cur.status}`),
        ),
        !paid && cur.status === 'booked' ? payButton(store, 'appointment', cur.id, rowOut, cur.fee) : null,
        appointmentAddress(cur),
        rowOut,
      );
      row.dataset.paid = String(paid);
    };
    // Re-rendered when the store changes (the payment, or a cancel from "My bookings").
    let last = '';
    const off = store.onChange(() => {
      if (!row.isConnected) return off();
      const cur = store.appointments.get(a.id);
      const sig = `${cur?.paid}${cur?.status}`;
      if (sig !== last) {
        last = sig;
        render(); // rowOut is the same element: its message stays
      }
    });
    render();
    last = `${a.paid}${a.status}`;
    booked.replaceChildren(row);
  };

  const attempt = new Attempt();
  const submit = h('button', { type: 'submit' }, t('citizen:doctor.submit'));
  const form = h(
    'form',
    { class: 'form', 'data-form': 'doctor', novalidate: true },
    hospitalField,
    field(t('citizen:doctor.department'), department),
    field(t('citizen:doctor.doctor'), doctor),
    field(t('citizen:doctor.date'), date),
    field(t('citizen:doctor.slotLabel'), slot),
    field(t('citizen:doctor.patient'), name),
    field(t('citizen:doctor.idNumber'), idNumber, t('citizen:doctor.idNumberHint')),
    field(t('citizen:doctor.phone'), phone),
    submit,
    out,
    booked,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(controls);
    if (!checks.check()) {
      say(out, 'error', t('citizen:form.fix'));
      return;
    }
    if (!slot.value) {
      say(out, 'error', t('citizen:doctor.pickSlot'));
      return;
    }
    submit.disabled = true;
    say(out, 'busy', t('citizen:doctor.booking'));
    const chosen = slot.value;
    attempt
      .post<Appointment>('/v1/appointments', {
        slotId: chosen,
        patient: { name: name.value.trim(), idNumber: idNumber.value.trim(), phone: phone.value.trim() },
      })
      .then(
        async (a) => {
          store.putAppointment(a);
          out.dataset.bookingId = a.id;
          say(out, 'ok', t('citizen:doctor.done'));
          showBooked(a);
          // The slot's and the day's counts changed: show the true numbers left.
          await loadDays(chosen);
        },
        (err: unknown) => {
          showFieldErrors(err, controls);
          say(out, 'error', t('citizen:doctor.failed', { reason: explain(err) }));
        },
      )
      .finally(() => (submit.disabled = false));
  });
  return form;
}
