// The text of each notification, from the event that causes it. Pure functions: the notifier
// decides who and when, these decide what the person reads and which view a tap opens.
import { CITIES } from '../../core/domain/cities.ts';
import type { AirAqi, Booking, IncidentStatusChanged, Payment } from '../../core/events/index.ts';
import type { Notice } from './store.ts';

const KIND_LABEL: Record<Payment['kind'], string> = {
  appointment: 'doctor appointment',
  ticket: 'ticket',
  electricity_bill: 'electricity bill',
  traffic_fine: 'traffic fine',
};

const STATUS_LABEL: Record<IncidentStatusChanged['to'], string> = {
  submitted: 'submitted',
  acknowledged: 'acknowledged',
  in_progress: 'in progress',
  resolved: 'resolved',
  rejected: 'rejected',
};

// Clock time and day in the cities' zone (all three keep China Standard Time). The formatters
// are built once: building one costs far more than formatting (it was 5 % of the hub's CPU per
// booking, as every booking event is checked for a reminder).
const TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', day: 'numeric', month: 'short' });
const chinaTime = (iso: string) => TIME.format(new Date(iso));
const chinaDay = (iso: string) => DAY.format(new Date(iso));

export function paymentNotice(p: Payment, succeeded: boolean): Notice {
  const what = KIND_LABEL[p.kind];
  return {
    kind: succeeded ? 'payment.succeeded' : 'payment.failed',
    title: succeeded ? 'Payment succeeded' : 'Payment failed',
    body: succeeded
      ? `¥${p.amount} paid for your ${what}.`
      : `Your payment of ¥${p.amount} for your ${what} did not go through${p.reason ? `: ${p.reason}` : ''}.`,
    url: '/?open=bookings',
    tag: `payment-${p.paymentId}`,
  };
}

export function holdNotice(b: Booking, expiresAt: string): Notice {
  const seats = Array.isArray(b.details.seats) ? (b.details.seats as unknown[]).map(String) : [];
  return {
    kind: 'ticket.hold_expiring',
    title: 'Your seat hold ends in 2 minutes',
    body: `Pay ¥${b.amount ?? '0.00'} before ${chinaTime(expiresAt)} to keep ${
      seats.length ? `seat${seats.length > 1 ? 's' : ''} ${seats.join(', ')}` : 'your seats'
    }.`,
    url: '/?open=bookings',
    tag: `hold-${b.bookingId}`,
  };
}

export function appointmentNotice(b: Booking, start: string, leadMinutes: number): Notice {
  const lead =
    leadMinutes >= 120 && leadMinutes % 60 === 0 ? `${leadMinutes / 60} hours` : `${leadMinutes} minutes`;
  return {
    kind: 'appointment.reminder',
    title: 'Appointment reminder',
    body: `Your doctor's appointment is at ${chinaTime(start)} on ${chinaDay(start)} (in ${lead}).`,
    url: '/?open=bookings',
    tag: `appointment-${b.bookingId}`,
  };
}

export function incidentNotice(e: IncidentStatusChanged): Notice {
  return {
    kind: 'incident.status_changed',
    title: `Your report is ${STATUS_LABEL[e.to]}`,
    body: e.note
      ? `Staff note: ${e.note}`
      : `Status changed from ${STATUS_LABEL[e.from]} to ${STATUS_LABEL[e.to]}.`,
    url: `/?open=incident&id=${encodeURIComponent(e.incidentId)}#${e.city}`,
    tag: `incident-${e.incidentId}`,
  };
}

/** The worst station of a city right now, as the AQI alert reports it. */
export interface CityAqi {
  city: AirAqi['city'];
  aqi: number;
  category: string;
  primaryPollutants: AirAqi['cn']['primaryPollutants'];
}

export function aqiNotice(c: CityAqi, above: number): Notice {
  const name = CITIES.find((x) => x.id === c.city)?.name.en ?? c.city;
  const primary = c.primaryPollutants.map((p) => (p === 'pm25' ? 'PM2.5' : p.toUpperCase())).join(', ');
  return {
    kind: 'aqi.alert',
    title: `Air quality alert: ${name}`,
    body: `AQI ${c.aqi} (${c.category}) is above your alert level of ${above}${
      primary ? `; main pollutant ${primary}` : ''
    }.`,
    url: `/#${c.city}`,
    tag: `aqi-${c.city}`,
  };
}
