/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// Web Push end to end: a hub (api role, PostgreSQL + Kafka when configured, else PGlite + the
// embedded bus) sends to a local push service that verifies the VAPID JWT and decrypts the RFC 8291
// payload. A payment, a ticket hold about to end, an incident status change and an AQI threshold
// crossing each produce exactly one notification with the right text; a 410 removes the
// subscription; quiet hours suppress. Time moves with a TestClock, not sleeps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../core/clock.ts';
import { DEV_WEBHOOK_SECRET } from '../core/config/index.ts';
import { signPayload } from '../modules/payments/index.ts';
import { EVENT_TYPES, makeEvent, TOPICS } from '../core/events/index.ts';
import { HOLD_WARNING_MS } from '../modules/push/index.ts';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { startPushService, type PushService, type Subscriber } from './support/push-service.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');

for (const backend of await backends()) {
  const onKafka = backend.name === 'postgres' && kafka?.value !== undefined;
  describe(`web push on ${backend.name}${onKafka ? ' and Kafka' : ''}`, () => {
    let api: ApiHarness;
    let push: PushService;
    let clock: TestClock;
    const prefix = testTopicPrefix('push');

    beforeAll(async () => {
      push = await startPushService();
      clock = new TestClock();
      api = await startApi(
        backend,
        {
          CITYSTREAM_PUSH_HOSTS: '127.0.0.1',
          CITYSTREAM_PUSH_CA_FILE: push.caFile,
          CITYSTREAM_PUSH_POLL_MS: '50',
          ...(onKafka ? { KAFKA_BROKERS: kafka.value!, KAFKA_TOPIC_PREFIX: prefix } : {}),
        },
        { clock },
      );
      await plantFixtures(api.db);
    });
    afterAll(async () => {
      await api?.stop();
      await push?.close();
      if (onKafka) await deleteTestTopics([kafka.value!], prefix);
    });

    /** Signs `name` in and saves a fresh browser subscription for them. */
    const subscribe = async (name: string): Promise<{ token: string; sub: Subscriber }> => {
      const token = await api.token(name);
      const sub = push.subscriber(name);
      const r = await api.call('POST', '/v1/push/subscriptions', { token, body: sub.subscription });
      expect(r.status).toBe(201);
      return { token, sub };
    };
    /** Reports an incident in Shenzhen as `token`'s user, then a staff member acknowledges it. */
    const reportAndAcknowledge = async (
      token: string,
      incident: { category: string; description: string; reporter: Record<string, string> },
      by: { officer: string; note?: string },
    ) => {
      const report = await api.call('POST', '/v1/incidents', {
        token,
        body: { ...incident, lat: 22.54, lon: 114.06 },
      });
      expect(report.status).toBe(201);
      const patch = await api.call('PATCH', `/v1/incidents/${report.body.id}`, {
        token: await api.token(by.officer, 'staff'),
        body: { status: 'acknowledged', ...(by.note ? { note: by.note } : {}) },
      });
      expect(patch.status).toBe(200);
      return report;
    };
    /** Books a place in the fixtures' slot for `patient` (a day after the hub clock's start). */
    const bookSlot1 = async (token: string, patient: { name: string; idNumber: string; phone: string }) => {
      const apt = await api.call('POST', '/v1/appointments', { token, body: { slotId: 'slot1', patient } });
      expect(apt.status).toBe(201);
      return apt;
    };
    const receivedBy = (name: string) => push.received.filter((r) => r.subscriber === name);
    /** Nothing due (or in flight: attempted, leased) is left for the user: every send due by now was answered. */
    const settled = (user: string) =>
      waitFor(
        async () =>
          (
            await api.db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM push_deliveries WHERE user_id = $1 AND (next_attempt_at <= $2 OR attempts > 0)',
              [user, new Date(clock.now())],
            )
          ).rows[0]!.n === 0,
        `the push queue of ${user} to drain`,
      );
    /** A station's PM2.5 reading; the notifier computes its AQI (HJ 633-2012) itself. */
    const reading = (
      station: string,
      city: 'guangzhou' | 'foshan' | 'shenzhen',
      pm25: number,
      minute: number,
    ) =>
      api.hub.ctx.bus.publish(TOPICS.airReadings.name, [
        {
          key: station,
          event: makeEvent({
            source: 'test/push',
            type: EVENT_TYPES.airReading,
            subject: station,
            data: {
              stationId: station,
              city,
              time: new Date(Date.UTC(2026, 11, 2, 8, minute)).toISOString(),
              pm25,
            },
          }),
        },
      ]);

    it('generates a VAPID key pair into the data dir and serves its public key', async () => {
      const r = await api.call('GET', '/v1/push/vapid-public-key');
      expect(r.status).toBe(200);
      expect(Buffer.from(r.body.publicKey, 'base64url')).toHaveLength(65);
      expect(existsSync(join(api.hub.ctx.config.dataDir, 'vapid.json'))).toBe(true);
    });

    it('refuses bad subscriptions naming the field, and unknown push services', async () => {
      const token = await api.token('careful');
      const good = push.subscriber('careful').subscription;
      const unauth = await api.call('POST', '/v1/push/subscriptions', { body: good });
      expect(unauth.status).toBe(401);
      const badKey = await api.call('POST', '/v1/push/subscriptions', {
        token,
        body: { ...good, keys: { ...good.keys, p256dh: 'AAAA' } },
      });
      expect(badKey.status).toBe(400);
      expect(badKey.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(badKey.body.errors)).toContain('keys.p256dh');
      const plainHttp = await api.call('POST', '/v1/push/subscriptions', {
        token,
        body: { ...good, endpoint: 'http://127.0.0.1:1/push/x' },
      });
      expect(plainHttp.status).toBe(400);
      const elsewhere = await api.call('POST', '/v1/push/subscriptions', {
        token,
        body: { ...good, endpoint: 'https://169.254.169.254/latest/meta-data' },
      });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body.errors[0].field).toBe('endpoint');

      expect((await api.call('POST', '/v1/push/subscriptions', { token, body: good })).status).toBe(201);
      expect((await api.call('POST', '/v1/push/subscriptions', { token, body: good })).status).toBe(200);
      const del = await api.call('DELETE', '/v1/push/subscriptions', {
        token,
        body: { endpoint: good.endpoint },
      });
      expect(del.status).toBe(204);
      const again = await api.call('DELETE', '/v1/push/subscriptions', {
        token,
        body: { endpoint: good.endpoint },
      });
      expect(again.status).toBe(404);
    });

    it('keeps preferences per user and refuses bad ones naming the field', async () => {
      const token = await api.token('prefs');
      const initial = await api.call('GET', '/v1/push/preferences', { token });
      expect(initial.body).toEqual({
        quietHours: null,
        timeZone: 'Asia/Shanghai',
        appointmentReminderMinutes: 60,
        aqi: [],
      });
      const wanted = {
        quietHours: { start: '22:30', end: '07:00' },
        timeZone: 'Asia/Shanghai',
        appointmentReminderMinutes: 30,
        aqi: [{ city: 'foshan', above: 150 }],
      };
      const put = await api.call('PUT', '/v1/push/preferences', { token, body: wanted });
      expect(put.status).toBe(200);
      expect((await api.call('GET', '/v1/push/preferences', { token })).body).toEqual(wanted);
      expect(
        (await api.call('GET', '/v1/push/preferences', { token: await api.token('other') })).body.aqi,
      ).toEqual([]);
      const bad = await api.call('PUT', '/v1/push/preferences', {
        token,
        body: {
          ...wanted,
          quietHours: { start: '25:00', end: '07:00' },
          aqi: [{ city: 'foshan', above: 42 }],
        },
      });
      expect(bad.status).toBe(400);
      const fields = (bad.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['quietHours.start', 'aqi.0.above']));
    });

    it('a payment that succeeds sends exactly one notification, signed and encrypted', async () => {
      const { token } = await subscribe('payer');
      const apt = await bookSlot1(token, {
        name: 'Li Na',
        idNumber: '440301199001011234',
        phone: '13800138000',
      });
      const pay = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'appointment', targetId: apt.body.id },
      });
      expect(pay.status).toBe(201);
      expect((await api.call('POST', `/v1/payments/${pay.body.id}/confirm`, { token })).status).toBe(200);

      await waitFor(() => receivedBy('payer').length > 0, 'the payment notification');
      await settled('payer');
      const got = receivedBy('payer');
      expect(got).toHaveLength(1);
      expect(got[0]!.payload).toMatchObject({
        kind: 'payment.succeeded',
        title: 'Payment succeeded',
        body: '¥50.00 paid for your doctor appointment.',
        url: '/?open=bookings',
      });
      expect(got[0]!.urgency).toBe('high');
      expect(got[0]!.vapidKey).toBe((await api.call('GET', '/v1/push/vapid-public-key')).body.publicKey);
      expect(got[0]!.claims.aud).toBe(push.url);
      expect(push.refused).toEqual([]);
      // The appointment's reminder waits for its time (the slot is a day away).
      const waiting = await api.db.query<{ payload: { en: { kind: string } } }>(
        'SELECT payload FROM push_deliveries WHERE user_id = $1',
        ['payer'],
      );
      expect(waiting.rows.map((r) => r.payload.en.kind)).toEqual(['appointment.reminder']);
    });

    it('a payment the provider declines sends one notification with the reason; a 503 is retried with backoff', async () => {
      const { token } = await subscribe('decliner');
      push.answer('decliner', 503);
      const pay = await api.call('POST', '/v1/payments', {
        token,
        body: { kind: 'traffic_fine', targetId: 'fine1', plate: '粤B12345', engineNoSuffix: '045128' },
      });
      expect(pay.status).toBe(201);
      const body = JSON.stringify({
        id: `evt_fail_${pay.body.id}`,
        type: 'payment.failed',
        data: { providerRef: pay.body.providerRef, reason: 'card declined' },
      });
      const hook = await api.call('POST', '/v1/payments/webhook', {
        body,
        headers: {
          'citystream-signature': signPayload(DEV_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
        },
      });
      expect(hook.status).toBe(200);
      // The push service fails the first send: it waits in the queue for its backoff (5-10 s for a
      // first retry; a send in flight holds a 60 s lease instead, so it does not match).
      const retry = await waitFor(
        async () =>
          (
            await api.db.query<{ attempts: number; next_attempt_at: Date }>(
              'SELECT attempts, next_attempt_at FROM push_deliveries WHERE user_id = $1 AND attempts > 0 AND next_attempt_at < $2',
              ['decliner', new Date(clock.now() + 30_000)],
            )
          ).rows[0],
        'the failed send to be scheduled for a retry',
      );
      expect(retry.attempts).toBe(1);
      expect(retry.next_attempt_at.getTime()).toBeGreaterThan(clock.now());
      expect(receivedBy('decliner')).toHaveLength(0);
      push.answer('decliner', 201);
      clock.advance(retry.next_attempt_at.getTime() - clock.now() + 1);
      await waitFor(() => receivedBy('decliner').length > 0, 'the retried notification');
      await settled('decliner');
      const got = receivedBy('decliner');
      expect(got).toHaveLength(1);
      expect(got[0]!.payload).toMatchObject({
        title: 'Payment failed',
        body: 'Your payment of ¥200.00 for your traffic fine did not go through: card declined.',
      });
    });

    it('warns once, 2 minutes before a ticket hold ends', async () => {
      const { token } = await subscribe('rider');
      const hold = await api.call('POST', '/v1/transport/tickets', {
        token,
        body: {
          departureId: 'dep1',
          count: 1,
          passenger: { name: 'Wang Fang', idNumber: '440604199203154321' },
        },
      });
      expect(hold.status).toBe(201);
      const ends = Date.parse(hold.body.holdExpiresAt);
      // Queued for its time, not sent now.
      const queued = await waitFor(
        async () =>
          (
            await api.db.query<{ next_attempt_at: Date }>(
              'SELECT next_attempt_at FROM push_deliveries WHERE user_id = $1',
              ['rider'],
            )
          ).rows[0],
        'the hold warning to be queued',
      );
      expect(queued.next_attempt_at.getTime()).toBe(ends - HOLD_WARNING_MS);
      expect(receivedBy('rider')).toHaveLength(0);

      clock.advance(ends - HOLD_WARNING_MS - clock.now() + 1_000);
      await waitFor(() => receivedBy('rider').length > 0, 'the hold warning');
      await settled('rider');
      clock.advance(30_000);
      await settled('rider');
      const got = receivedBy('rider');
      expect(got).toHaveLength(1);
      expect(got[0]!.payload.title).toBe('Your seat hold ends in 2 minutes');
      expect(got[0]!.payload.body).toMatch(/^Pay ¥74\.50 before \d\d:\d\d to keep seat 01A\.$/);
      expect(got[0]!.ttl).toBe(120);
    });

    it('tells the reporter once about a status change, with the staff note', async () => {
      const { token } = await subscribe('reporter');
      const report = await reportAndAcknowledge(
        token,
        {
          category: 'pothole',
          description: 'A deep hole in the right lane',
          reporter: { email: 'r@example.com' },
        },
        { officer: 'officer', note: 'A crew is on the way' },
      );
      await waitFor(() => receivedBy('reporter').length > 0, 'the incident notification');
      await settled('reporter');
      const got = receivedBy('reporter');
      expect(got).toHaveLength(1);
      expect(got[0]!.payload).toMatchObject({
        title: 'Your report is acknowledged',
        body: 'Staff note: A crew is on the way',
        url: `/?open=incident&id=${report.body.id}#shenzhen`,
      });
    });

    it("writes each browser's notification in its page's language (or its Accept-Language)", async () => {
      // One person, three browsers: a phone whose page is Chinese, a laptop in English, and a
      // tablet that said no language but prefers Chinese in its request.
      const token = await api.token('bilingual');
      const save = (name: string, extra: { language?: string }, headers: Record<string, string> = {}) =>
        api.call('POST', '/v1/push/subscriptions', {
          token,
          headers,
          body: { ...push.subscriber(name).subscription, ...extra },
        });
      const phone = await save('bi-phone', { language: 'zh-CN' });
      expect(phone.status).toBe(201);
      expect(phone.body.language).toBe('zh-CN');
      expect(
        (await save('bi-laptop', { language: 'en' }, { 'accept-language': 'zh-CN' })).body.language,
      ).toBe('en');
      expect(
        (await save('bi-tablet', {}, { 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.5' })).body.language,
      ).toBe('zh-CN');
      const bad = await save('bi-other', { language: 'fr' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('language');

      const report = await reportAndAcknowledge(
        token,
        {
          category: 'broken_street_light',
          description: '路灯坏了，晚上很黑',
          reporter: { phone: '13800138000' },
        },
        { officer: 'officer-bi' },
      );
      await waitFor(
        () => push.received.filter((r) => r.subscriber.startsWith('bi-')).length === 3,
        'three notices',
      );
      await settled('bilingual');
      const url = `/?open=incident&id=${report.body.id}#shenzhen`;
      for (const device of ['bi-phone', 'bi-tablet']) {
        expect(receivedBy(device).map((r) => r.payload)).toEqual([
          expect.objectContaining({ title: '您的上报已受理', body: '状态由“已提交”变为“已受理”。', url }),
        ]);
      }
      expect(receivedBy('bi-laptop').map((r) => r.payload)).toEqual([
        expect.objectContaining({
          title: 'Your report is acknowledged',
          body: 'Status changed from submitted to acknowledged.',
          url,
        }),
      ]);
      // The laptop's page switched to Chinese: saving again changes its language, nothing else.
      const again = await save('bi-laptop', { language: 'zh-CN' });
      expect(again.status).toBe(200);
      expect(again.body.language).toBe('zh-CN');
      expect(push.refused).toEqual([]);
    });

    it('alerts once when a followed city crosses the chosen AQI level; a 410 removes the subscription; quiet hours suppress', async () => {
      const breather = await subscribe('breather');
      const gone = await subscribe('gone');
      push.answer('gone', 410);
      const sleeper = await subscribe('sleeper');
      const follow = (token: string, quietHours: { start: string; end: string } | null) =>
        api.call('PUT', '/v1/push/preferences', {
          token,
          body: {
            quietHours,
            timeZone: 'Asia/Shanghai',
            appointmentReminderMinutes: 60,
            aqi: [{ city: 'guangzhou', above: 150 }],
          },
        });
      // Quiet from an hour before to an hour after the hub clock's local time.
      const local = (offsetMin: number) =>
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Asia/Shanghai',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(new Date(clock.now() + offsetMin * 60_000));
      expect((await follow(breather.token, null)).status).toBe(200);
      expect((await follow(gone.token, null)).status).toBe(200);
      expect((await follow(sleeper.token, { start: local(-60), end: local(60) })).status).toBe(200);

      await reading('GZ-T1', 'guangzhou', 91, 0); // AQI 120
      await reading('GZ-T2', 'guangzhou', 67, 1); // AQI 90
      await reading('GZ-T1', 'guangzhou', 136, 2); // AQI 180: the crossing
      await reading('GZ-T2', 'guangzhou', 99, 3); // AQI 130: the city is still above (GZ-T1)
      await reading('GZ-T1', 'guangzhou', 143, 4); // AQI 190

      await waitFor(() => receivedBy('breather').length > 0, 'the AQI alert');
      await waitFor(
        async () =>
          (await api.db.query('SELECT 1 FROM push_subscriptions WHERE user_id = $1', ['gone'])).rowCount ===
          0,
        'the 410 subscription to be removed',
      );
      for (const u of ['breather', 'gone', 'sleeper']) await settled(u);
      const got = receivedBy('breather');
      expect(got).toHaveLength(1);
      expect(got[0]!.payload).toMatchObject({
        title: 'Air quality alert: Guangzhou',
        body: 'AQI 180 (Moderately polluted) is above your alert level of 150; main pollutant PM2.5.',
        url: '/#guangzhou',
      });
      expect(receivedBy('gone')).toHaveLength(0);
      expect(receivedBy('sleeper')).toHaveLength(0);
      expect(
        (await api.db.query('SELECT 1 FROM push_deliveries WHERE user_id = $1', ['gone'])).rowCount,
      ).toBe(0);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/citystream_push_notifications_total\{outcome="quiet"\} 1\b/);
      expect(metrics).toMatch(/citystream_push_notifications_total\{outcome="gone"\} 1\b/);
    });

    it('reminds of an appointment at the lead time, once', async () => {
      const row = (
        await api.db.query<{ next_attempt_at: Date }>(
          'SELECT next_attempt_at FROM push_deliveries WHERE user_id = $1',
          ['payer'],
        )
      ).rows[0]!;
      const start = (await api.db.query<{ start_at: Date }>(`SELECT start_at FROM slots WHERE id = 'slot1'`))
        .rows[0]!.start_at;
      expect(row.next_attempt_at.getTime()).toBe(start.getTime() - 60 * 60_000);
      clock.advance(row.next_attempt_at.getTime() - clock.now() + 1_000);
      await waitFor(() => receivedBy('payer').length > 1, 'the appointment reminder');
      await settled('payer');
      const got = receivedBy('payer');
      expect(got).toHaveLength(2);
      expect(got[1]!.payload.title).toBe('Appointment reminder');
      expect(got[1]!.payload.body).toMatch(
        /^Your doctor's appointment is at \d\d:\d\d on \d+ \w+ \(in 60 minutes\)\.$/,
      );
      expect(push.refused).toEqual([]);
    });

    it('sends a reminder queued in one language in the language the browser has when it is due', async () => {
      const token = await api.token('switcher');
      const sub = push.subscriber('switcher').subscription;
      const save = (language: string) =>
        api.call('POST', '/v1/push/subscriptions', { token, body: { ...sub, language } });
      expect((await save('zh-CN')).status).toBe(201);
      const prefs = await api.call('PUT', '/v1/push/preferences', {
        token,
        body: { quietHours: null, timeZone: 'Asia/Shanghai', appointmentReminderMinutes: 15, aqi: [] },
      });
      expect(prefs.status).toBe(200);
      await bookSlot1(token, { name: 'Zhao Lei', idNumber: '11010519491231002X', phone: '13800138001' });
      const queued = async () =>
        (
          await api.db.query<{ next_attempt_at: Date }>(
            'SELECT next_attempt_at FROM push_deliveries WHERE user_id = $1',
            ['switcher'],
          )
        ).rows[0];
      await waitFor(async () => (await queued()) !== undefined, 'the reminder to be queued');
      // Queued while the page was Chinese; the page switched to English before it was due.
      expect((await save('en')).status).toBe(200);
      const due = (await queued())!.next_attempt_at.getTime();
      clock.advance(due - clock.now() + 1_000);
      await waitFor(() => receivedBy('switcher').length > 0, 'the reminder');
      await settled('switcher');
      expect(receivedBy('switcher').map((r) => r.payload.title)).toEqual(['Appointment reminder']);
      expect(receivedBy('switcher')[0]!.payload.body).toMatch(/\(in 15 minutes\)\.$/);
    });
  });
}
