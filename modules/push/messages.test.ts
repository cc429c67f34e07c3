// What a person reads in a notification, in the language their browser subscribed in: the same
// notice (kind, view opened, tag) in Chinese and in English, with China Standard Time dates.
import { describe, expect, it } from 'vitest';
import type { Booking, IncidentStatusChanged, Payment } from '../../core/events/index.ts';
import { appointmentNotice, aqiNotice, holdNotice, incidentNotice, paymentNotice } from './messages.ts';

const payment: Payment = {
  paymentId: 'pay_1',
  userId: 'u1',
  kind: 'appointment',
  targetId: 'apt_1',
  amount: '50.00',
  currency: 'CNY',
  status: 'succeeded',
  at: '2026-12-08T02:00:00Z',
};
const booking = (details: Booking['details']): Booking => ({
  bookingId: 'bk_1',
  userId: 'u1',
  kind: 'ticket',
  status: 'held',
  amount: '74.50',
  details,
  at: '2026-12-08T02:00:00Z',
});

describe('notifications in the subscriber’s language', () => {
  it('say a payment in Chinese with the dashboard’s words, the provider’s reason as it came', () => {
    const ok = paymentNotice(payment, true);
    expect(ok['zh-CN']).toEqual({
      kind: 'payment.succeeded',
      title: '支付成功',
      body: '已为您的挂号支付 ¥50.00。',
      url: '/?open=bookings',
      tag: 'payment-pay_1',
    });
    expect(ok.en.body).toBe('¥50.00 paid for your doctor appointment.');
    const failed = paymentNotice({ ...payment, kind: 'traffic_fine', reason: 'card declined' }, false);
    expect(failed['zh-CN'].title).toBe('支付失败');
    expect(failed['zh-CN'].body).toBe('您为交通罚款支付的 ¥50.00 未成功：card declined。');
    expect(failed.en.body).toBe(
      'Your payment of ¥50.00 for your traffic fine did not go through: card declined.',
    );
  });

  it('give an appointment’s day and time in China Standard Time, in each language’s form', () => {
    // 2026-12-09 00:30 UTC is 08:30 on 9 December in Shenzhen.
    const n = appointmentNotice({ ...booking({}), kind: 'appointment' }, '2026-12-09T00:30:00Z', 120);
    expect(n['zh-CN'].title).toBe('就诊提醒');
    expect(n['zh-CN'].body).toBe('您的挂号就诊时间为 12月9日 08:30（2 小时后）。');
    expect(n.en.body).toBe("Your doctor's appointment is at 08:30 on 9 Dec (in 2 hours).");
    expect(appointmentNotice(booking({}), '2026-12-09T00:30:00Z', 45)['zh-CN'].body).toContain(
      '（45 分钟后）',
    );
  });

  it('list held seats with the Chinese enumeration comma', () => {
    const n = holdNotice(booking({ seats: ['01A', '01B'] }), '2026-12-08T02:04:00Z');
    expect(n['zh-CN'].body).toBe('请在 10:04 前支付 ¥74.50，以保留座位 01A、01B。');
    expect(n.en.body).toBe('Pay ¥74.50 before 10:04 to keep seats 01A, 01B.');
  });

  it('name an incident’s status as the page does, and keep the staff note as written', () => {
    const base: IncidentStatusChanged = {
      incidentId: 'inc_1',
      city: 'shenzhen',
      from: 'submitted',
      to: 'resolved',
      changedBy: 'officer',
      changedAt: '2026-12-08T02:00:00Z',
    };
    const plain = incidentNotice(base);
    expect(plain['zh-CN'].title).toBe('您的上报已解决');
    expect(plain['zh-CN'].body).toBe('状态由“已提交”变为“已解决”。');
    expect(plain.en.title).toBe('Your report is resolved');
    const noted = incidentNotice({ ...base, note: '已修复' });
    expect(noted['zh-CN'].body).toBe('工作人员备注：已修复');
    expect(noted['zh-CN'].url).toBe(noted.en.url);
  });

  it('alert on AQI with the city and the level named in the reader’s language', () => {
    const n = aqiNotice({ city: 'guangzhou', aqi: 180, level: 4, primaryPollutants: ['pm25'] }, 150);
    expect(n['zh-CN'].title).toBe('空气质量提醒：广州');
    expect(n['zh-CN'].body).toBe('空气质量指数 180（中度污染），高于您设定的提醒值 150；首要污染物 PM2.5。');
    expect(n.en.title).toBe('Air quality alert: Guangzhou');
    expect(n.en.body).toBe(
      'AQI 180 (Moderately polluted) is above your alert level of 150; main pollutant PM2.5.',
    );
  });
});
