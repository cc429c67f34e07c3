/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by expect() */
// The citizen's side of the API as the dashboard uses it: identity and phone numbers refused with
// a reason a person understands, Chinese descriptions counted in characters, "my reports" with
// photos and the status history, cancelling bookings with the refund, and receipts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../core/domain/identity.ts';
import { userIdForName } from '../modules/dashboard/dev-token.ts';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const VALID_ID = '11010519491231002X';
const patient = { name: '王小明', idNumber: VALID_ID, phone: '138 0013 8000' };

for (const backend of await backends()) {
  describe(`citizen services on ${backend.name}`, () => {
    let api: ApiHarness;
    let me: string;
    let staff: string;

    beforeAll(async () => {
      api = await startApi(backend);
      await plantFixtures(api.db, { slotCapacity: 3, seats: 2 });
      [me, staff] = await Promise.all([api.token(userIdForName('王小明')), api.token('desk', 'staff')]);
    });
    afterAll(() => api?.stop());

    it('refuses a mistyped resident ID or phone with a message naming the problem', async () => {
      const mistyped = `${VALID_ID.slice(0, 17)}${residentIdCheckChar(VALID_ID) === '1' ? '2' : '1'}`;
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ ...patient, idNumber: '11010519491231' }, 'patient.idNumber', /exactly 18 characters/],
        [{ ...patient, idNumber: mistyped }, 'patient.idNumber', /mistyped/],
        [{ ...patient, idNumber: '110105194913310021' }, 'patient.idNumber', /date of birth/],
        [{ ...patient, phone: '12345' }, 'patient.phone', /mobile number/],
        [{ ...patient, phone: 'call me' }, 'patient.phone', /only digits/],
      ];
      for (const [p, field, message] of cases) {
        const r = await api.call('POST', '/v1/appointments', {
          token: me,
          body: { slotId: 'slot1', patient: p },
        });
        expect(r.status, JSON.stringify(p)).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        const error = r.body.errors.find((e: { field: string }) => e.field === field);
        expect(error?.message).toMatch(message);
        // The refused number is not echoed back.
        expect(JSON.stringify(r.body)).not.toContain(p.idNumber);
      }
    });

    it('books with a valid ID (lower-case x accepted), a spaced phone and a Chinese name', async () => {
      const r = await api.call('POST', '/v1/appointments', {
        token: me,
        body: { slotId: 'slot1', patient: { ...patient, idNumber: VALID_ID.toLowerCase() } },
      });
      expect(r.status).toBe(201);
      expect(r.body.patient.name).toBe('王小明');
      expect(r.body.patient.idNumber).toBe('1101**********002X');
    });

    it('cancels a paid appointment and a held ticket, refunding what was paid; receipts list payments', async () => {
      const a = await api.call('POST', '/v1/appointments', {
        token: me,
        body: { slotId: 'slot1', patient: { ...patient, idNumber: '440301199001011234' } },
      });
      expect(a.status).toBe(201);
      const intent = await api.call('POST', '/v1/payments', {
        token: me,
        body: { kind: 'appointment', targetId: a.body.id },
      });
      const paid = await api.call('POST', `/v1/payments/${intent.body.id}/confirm`, { token: me, body: {} });
      expect(paid.body.status).toBe('succeeded');
      expect((await api.call('GET', `/v1/appointments/${a.body.id}`, { token: me })).body.paid).toBe(true);

      const cancelled = await api.call('POST', `/v1/appointments/${a.body.id}/cancel`, { token: me });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', payment: 'refunded' });

      const t = await api.call('POST', '/v1/transport/tickets', {
        token: me,
        body: { departureId: 'dep1', count: 1, passenger: { name: '王小明', idNumber: VALID_ID } },
      });
      expect(t.status).toBe(201);
      const tc = await api.call('POST', `/v1/transport/tickets/${t.body.id}/cancel`, { token: me });
      expect(tc.body.status).toBe('cancelled');
      expect(tc.body.payment).toBeUndefined();

      const receipts = await api.call('GET', '/v1/payments', { token: me });
      const receipt = receipts.body.items.find((p: { id: string }) => p.id === intent.body.id);
      expect(receipt).toMatchObject({ status: 'refunded', amount: '50.00', kind: 'appointment' });
    });

    it('takes a four-character Chinese description and refuses three, counting characters not bytes', async () => {
      const report = (description: string) =>
        api.call('POST', '/v1/incidents', {
          token: me,
          body: {
            category: 'pothole',
            lat: 22.543,
            lon: 114.057,
            description,
            reporter: { phone: '0755-8888 1234' },
          },
        });
      const short = await report('有个坑');
      expect(short.status).toBe(400);
      expect(short.body.errors[0]).toMatchObject({ field: 'description' });
      expect(short.body.errors[0].message).toMatch(/at least 4 characters/);
      expect((await report('井盖丢失')).status).toBe(201);
      const badPhone = await api.call('POST', '/v1/incidents', {
        body: {
          category: 'pothole',
          lat: 22.543,
          lon: 114.057,
          description: '路面塌陷',
          reporter: { phone: '999' },
        },
      });
      expect(badPhone.status).toBe(400);
      expect(badPhone.body.errors[0].field).toBe('reporter.phone');
    });

    it('lists my reports with their photo, and the status history with the staff note', async () => {
      const f = new FormData();
      f.set('category', 'broken_street_light');
      f.set('lat', '22.55');
      f.set('lon', '114.06');
      f.set('description', '路灯不亮了');
      f.set('reporter.phone', '13902223333');
      f.set('photo', new Blob([PNG], { type: 'image/png' }), 'lamp.png');
      const created = await fetch(`${api.url}/v1/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${me}` },
        body: f,
      });
      expect(created.status).toBe(201);
      const incident = (await created.json()) as { id: string };
      // Someone else's report is not mine.
      const other = await api.token('someone-else');
      const mineOther = await api.call('GET', '/v1/incidents/mine', { token: other });
      expect(mineOther.body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);

      const mine = await api.call('GET', '/v1/incidents/mine', { token: me });
      expect(mine.status).toBe(200);
      expect(mine.body.items[0]).toMatchObject({ id: incident.id, description: '路灯不亮了' });
      const photo = await fetch(api.url + mine.body.items[0].photoUrl);
      expect(photo.headers.get('content-type')).toBe('image/png');

      expect((await api.call('GET', '/v1/incidents/mine')).status).toBe(401);

      await api.call('PATCH', `/v1/incidents/${incident.id}`, {
        token: staff,
        body: { status: 'acknowledged', note: 'crew booked for tonight' },
      });
      const history = await api.call('GET', `/v1/incidents/${incident.id}/history`);
      expect(history.status).toBe(200);
      expect(history.body.items).toEqual([
        { from: 'submitted', to: 'acknowledged', note: 'crew booked for tonight', at: expect.any(String) },
      ]);
      expect(JSON.stringify(history.body)).not.toContain('desk');
      expect((await api.call('GET', '/v1/incidents/inc_nope/history')).status).toBe(404);
    });

    it('derives a user id apart from the display name', () => {
      expect(userIdForName('Wang Xiaoming')).toBe('wang-xiaoming');
      const zh = userIdForName('王小明');
      expect(zh).toMatch(/^u-[0-9a-f]{16}$/);
      expect(userIdForName(' 王小明 ')).toBe(zh);
      expect(userIdForName('王小红')).not.toBe(zh);
    });
  });
}
