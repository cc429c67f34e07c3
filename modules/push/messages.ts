// The text of each notification, from the event that causes it, in every language a browser may
// have subscribed in (the page's: Chinese or English). Pure functions: the notifier decides who
// and when, these decide what the person reads and which view a tap opens. Words match the
// dashboard's own (web/src/i18n/locales; the Chinese names of statuses and kinds are one table in
// core/domain/statuses.ts), so a notice and the page it opens say the same thing.
import { CN_LEVELS } from '../../core/domain/aqi.ts';
import { city as cityOf } from '../../core/domain/cities.ts';
import { INCIDENT_STATUS_ZH, PAYMENT_KIND_ZH } from '../../core/domain/statuses.ts';
import type { AirAqi, Booking, IncidentStatusChanged, Payment } from '../../core/events/index.ts';
import type { Notices } from './store.ts';

const KIND = {
  en: {
    appointment: 'doctor appointment',
    ticket: 'ticket',
    electricity_bill: 'electricity bill',
    traffic_fine: 'traffic fine',
  },
  'zh-CN': PAYMENT_KIND_ZH,
} satisfies Record<keyof Notices, Record<Payment['kind'], string>>;

const STATUS = {
  en: {
    submitted: 'submitted',
    acknowledged: 'acknowledged',
    in_progress: 'in progress',
    resolved: 'resolved',
    rejected: 'rejected',
  },
  'zh-CN': INCIDENT_STATUS_ZH,
} satisfies Record<keyof Notices, Record<IncidentStatusChanged['to'], string>>;

// Clock time and day in the cities' zone (all three keep China Standard Time). The formatters
// are built once: building one costs far more than formatting (it was 5 % of the hub's CPU per
// booking, as every booking event is checked for a reminder).
const TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const DAY = {
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', day: 'numeric', month: 'short' }),
  // "12月9日"
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', day: 'numeric', month: 'long' }),
};
const chinaTime = (iso: string) => TIME.format(new Date(iso));

export function paymentNotice(p: Payment, succeeded: boolean): Notices {
  const common = {
    kind: succeeded ? 'payment.succeeded' : 'payment.failed',
    url: '/?open=bookings',
    tag: `payment-${p.paymentId}`,
  };
  // The provider's reason is its own text, shown as it came.
  return {
    en: {
      ...common,
      title: succeeded ? 'Payment succeeded' : 'Payment failed',
      body: succeeded
        ? `¥${p.amount} paid for your ${KIND.en[p.kind]}.`
        : `Your payment of ¥${p.amount} for your ${KIND.en[p.kind]} did not go through${p.reason ? `: ${p.reason}` : ''}.`,
    },
    'zh-CN': {
      ...common,
      title: succeeded ? '支付成功' : '支付失败',
      body: succeeded
        ? `已为您的${KIND['zh-CN'][p.kind]}支付 ¥${p.amount}。`
        : `您为${KIND['zh-CN'][p.kind]}支付的 ¥${p.amount} 未成功${p.reason ? `：${p.reason}` : ''}。`,
    },
  };
}

export function holdNotice(b: Booking, expiresAt: string): Notices {
  const seats = Array.isArray(b.details.seats) ? (b.details.seats as unknown[]).map(String) : [];
  const amount = b.amount ?? '0.00';
  const until = chinaTime(expiresAt);
  const common = { kind: 'ticket.hold_expiring', url: '/?open=bookings', tag: `hold-${b.bookingId}` };
  return {
    en: {
      ...common,
      title: 'Your seat hold ends in 2 minutes',
      body: `Pay ¥${amount} before ${until} to keep ${
        seats.length ? `seat${seats.length > 1 ? 's' : ''} ${seats.join(', ')}` : 'your seats'
      }.`,
    },
    'zh-CN': {
      ...common,
      title: '您的座位保留将在 2 分钟后结束',
      body: `请在 ${until} 前支付 ¥${amount}，以保留${seats.length ? `座位 ${seats.join('、')}` : '您的座位'}。`,
    },
  };
}

export function appointmentNotice(b: Booking, start: string, leadMinutes: number): Notices {
  const hours = leadMinutes >= 120 && leadMinutes % 60 === 0 ? leadMinutes / 60 : null;
  const at = new Date(start);
  const time = chinaTime(start);
  const common = { kind: 'appointment.reminder', url: '/?open=bookings', tag: `appointment-${b.bookingId}` };
  return {
    en: {
      ...common,
      title: 'Appointment reminder',
      body: `Your doctor's appointment is at ${time} on ${DAY.en.format(at)} (in ${
        hours ? `${hours} hours` : `${leadMinutes} minutes`
      }).`,
    },
    'zh-CN': {
      ...common,
      title: '就诊提醒',
      body: `您的挂号就诊时间为 ${DAY['zh-CN'].format(at)} ${time}（${
        hours ? `${hours} 小时` : `${leadMinutes} 分钟`
      }后）。`,
    },
  };
}

export function incidentNotice(e: IncidentStatusChanged): Notices {
  const common = {
    kind: 'incident.status_changed',
    url: `/?open=incident&id=${encodeURIComponent(e.incidentId)}#${e.city}`,
    tag: `incident-${e.incidentId}`,
  };
  // The staff note is shown as staff wrote it.
  return {
    en: {
      ...common,
      title: `Your report is ${STATUS.en[e.to]}`,
      body: e.note
        ? `Staff note: ${e.note}`
        : `Status changed from ${STATUS.en[e.from]} to ${STATUS.en[e.to]}.`,
    },
    'zh-CN': {
      ...common,
      title: `您的上报${STATUS['zh-CN'][e.to]}`,
      body: e.note
        ? `工作人员备注：${e.note}`
        : `状态由“${STATUS['zh-CN'][e.from]}”变为“${STATUS['zh-CN'][e.to]}”。`,
    },
  };
}

/** The worst station of a city right now, as the AQI alert reports it. */
export interface CityAqi {
  city: AirAqi['city'];
  aqi: number;
  /** CN AQI level, 1 (excellent) to 6: named in the reader's language. */
  level: number;
  primaryPollutants: AirAqi['cn']['primaryPollutants'];
}

export function aqiNotice(c: CityAqi, above: number): Notices {
  const city = cityOf(c.city).name;
  const level = CN_LEVELS.find((l) => l.level === c.level)?.names;
  const primary = c.primaryPollutants.map((p) => (p === 'pm25' ? 'PM2.5' : p.toUpperCase())).join(', ');
  const common = { kind: 'aqi.alert', url: `/#${c.city}`, tag: `aqi-${c.city}` };
  return {
    en: {
      ...common,
      title: `Air quality alert: ${city.en}`,
      body: `AQI ${c.aqi}${level ? ` (${level.en})` : ''} is above your alert level of ${above}${
        primary ? `; main pollutant ${primary}` : ''
      }.`,
    },
    'zh-CN': {
      ...common,
      title: `空气质量提醒：${city.zh}`,
      body: `空气质量指数 ${c.aqi}${level ? `（${level['zh-CN']}）` : ''}，高于您设定的提醒值 ${above}${
        primary ? `；首要污染物 ${primary}` : ''
      }。`,
    },
  };
}
