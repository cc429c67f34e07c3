/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// The city services as a user meets them, on the seeded demo data: directories, slots,
// departures and seat maps, bills and fines, incident reports with photos and the staff
// workflow, Open311, and ticket holds that expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITY_SERVICE_MODULES, seedersOf } from '../app/modules.ts';
import { seedDemoData } from '../core/db/seed.ts';
import { backends, startApi, type ApiHarness } from './support/api.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const cstDate = (daysAhead: number) =>
  new Date(Date.now() + 8 * 3_600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);

for (const backend of await backends()) {
  describe(`city services on ${backend.name}`, () => {
    let api: ApiHarness;
    let citizen: string;
    let staff: string;

    beforeAll(async () => {
      api = await startApi(backend, {
        CITYSTREAM_TICKET_HOLD_SECONDS: '1',
        CITYSTREAM_PHOTO_MAX_BYTES: '20000',
      });
      await seedDemoData(api.db, seedersOf(CITY_SERVICE_MODULES));
      [citizen, staff] = await Promise.all([api.token('wang'), api.token('desk-officer', 'staff')]);
    });
    afterAll(() => api?.stop());

    it('finds a doctor in Foshan and books tomorrow’s first free slot', async () => {
      const hospitals = await api.call('GET', '/v1/hospitals?city=foshan');
      expect(hospitals.body.items.length).toBeGreaterThanOrEqual(2);
      expect(hospitals.body.items.every((h: { city: string }) => h.city === 'foshan')).toBe(true);
      const deps = await api.call('GET', `/v1/hospitals/${hospitals.body.items[0].id}/departments`);
      const cardio = deps.body.items.find((d: { name: string }) => d.name === 'Cardiology');
      const doctors = await api.call('GET', `/v1/doctors?departmentId=${cardio.id}`);
      // Chinese names beside the English ones, for the zh-CN page.
      expect(hospitals.body.items[0].names['zh-CN']).toMatch(/医院$/);
      // And where to go: the address and grade in Chinese too.
      expect(hospitals.body.items[0].addresses['zh-CN']).toMatch(/^佛山市禅城区.+号$/);
      expect(hospitals.body.items[0].grades).toEqual({ 'zh-CN': '三级甲等' });
      expect(cardio.names).toEqual({ 'zh-CN': '心血管内科' });
      expect(doctors.body.items[0].titles['zh-CN']).toMatch(/^(主任医师|副主任医师|主治医师)$/);
      const slots = await api.call('GET', `/v1/doctors/${doctors.body.items[0].id}/slots?date=${cstDate(1)}`);
      expect(slots.body.items.length).toBe(13);
      const first = slots.body.items[0];
      expect(first).toMatchObject({ status: 'free', currency: 'CNY' });
      expect(new Date(first.start).toISOString()).toBe(
        new Date(`${cstDate(1)}T08:00:00+08:00`).toISOString(),
      );
      const booked = await api.call('POST', '/v1/appointments', {
        token: citizen,
        body: {
          slotId: first.id,
          patient: { name: 'Wang Fang', idNumber: '440604199203154327', phone: '13902223333' },
        },
      });
      expect(booked.status).toBe(201);
      expect(booked.body.patient.idNumber).toBe('4406**********4327');
      expect(booked.body.departmentNames).toEqual({ 'zh-CN': '心血管内科' });
      expect(booked.body.hospital.names).toEqual(hospitals.body.items[0].names);
      expect(booked.body.hospital).toMatchObject({
        address: hospitals.body.items[0].address,
        addresses: hospitals.body.items[0].addresses,
      });
      const listed = await api.call('GET', '/v1/appointments', { token: citizen });
      expect(listed.body.items[0].hospital.addresses).toEqual(hospitals.body.items[0].addresses);
      expect(booked.body.doctor.names).toEqual(doctors.body.items[0].names);
      const again = await api.call('POST', '/v1/appointments', {
        token: citizen,
        body: {
          slotId: first.id,
          patient: { name: 'Wang Fang', idNumber: '440604199203154327', phone: '13902223333' },
        },
      });
      expect(again.status).toBe(409);
      expect(again.body.detail).toMatch(/already holds/);
      expect((await api.call('GET', '/v1/hospitals?city=beijing')).status).toBe(400);
    });

    it('lists the days a doctor can be booked, with the places left on each, and none already begun', async () => {
      const doctor = 'fs-first-card-dr2';
      expect((await api.call('GET', `/v1/doctors/${doctor}/slots?date=${cstDate(1)}`)).status).toBe(200);
      // A day fully booked, and one place taken on another.
      await api.db.query(
        `UPDATE slots SET booked = capacity WHERE doctor_id = $1 AND start_at >= $2 AND start_at < $3`,
        [doctor, new Date(`${cstDate(2)}T00:00:00+08:00`), new Date(`${cstDate(3)}T00:00:00+08:00`)],
      );
      await api.db.query(
        `UPDATE slots SET booked = booked + 1 WHERE id = (SELECT id FROM slots WHERE doctor_id = $1 AND start_at >= $2 ORDER BY start_at LIMIT 1)`,
        [doctor, new Date(`${cstDate(3)}T00:00:00+08:00`)],
      );
      const days = await api.call('GET', `/v1/doctors/${doctor}/days`);
      expect(days.status).toBe(200);
      const byDate = new Map(
        (days.body.items as { date: string; slots: number; available: number }[]).map((d) => [d.date, d]),
      );
      // The seeded week: tomorrow to a week ahead in full (today only if slots are still ahead).
      for (const k of [1, 2, 3, 4, 5, 6, 7]) expect(byDate.has(cstDate(k))).toBe(true);
      expect([...byDate.keys()]).toEqual([...byDate.keys()].sort());
      for (const k of [1, 3]) {
        const slots = (await api.call('GET', `/v1/doctors/${doctor}/slots?date=${cstDate(k)}`)).body
          .items as {
          available: number;
        }[];
        expect(byDate.get(cstDate(k))).toEqual({
          date: cstDate(k),
          slots: slots.length,
          available: slots.reduce((n, s) => n + s.available, 0),
        });
      }
      expect(byDate.get(cstDate(2))).toMatchObject({ available: 0 });
      expect(byDate.get(cstDate(2))!.slots).toBeGreaterThan(0);
      // Nothing before now: today's entry counts only slots not started.
      const today = (await api.call('GET', `/v1/doctors/${doctor}/slots?date=${cstDate(0)}`)).body.items as {
        start: string;
      }[];
      const ahead = today.filter((s) => Date.parse(s.start) > Date.now()).length;
      expect(byDate.get(cstDate(0))?.slots ?? 0).toBe(ahead);
      const unknown = await api.call('GET', '/v1/doctors/no-such-doctor/days');
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe('doctor no-such-doctor not found');
    });

    it('gives a database seeded before the Chinese names those names, once', async () => {
      await api.db.query(`UPDATE hospitals SET names = '{}'::jsonb WHERE id = 'fs-tcm'`);
      await api.db.query(`UPDATE traffic_fines SET offences = '{}'::jsonb, locations = '{}'::jsonb`);
      // A demo account as seeded before its masks were the grid company's Chinese ones.
      await api.db.query(
        `UPDATE electricity_accounts SET holder_masked = 'Chen *wei', address_masked = 'Futian District, Shenzhen ****' WHERE account_no = '0755100200301'`,
      );
      // Seeded after the names but before the addresses and grades had a Chinese text.
      await api.db.query(
        `UPDATE hospitals SET addresses = '{}'::jsonb, grades = '{}'::jsonb WHERE id = 'fs-first'`,
      );
      await api.db.query(
        `UPDATE departures SET from_station_names = '{}'::jsonb, to_station_names = '{}'::jsonb, operator_names = '{}'::jsonb`,
      );
      await api.db.query(
        `UPDATE doctors SET names = '{}'::jsonb, titles = '{}'::jsonb WHERE id LIKE 'fs-tcm-%'`,
      );
      expect(await seedDemoData(api.db, seedersOf(CITY_SERVICE_MODULES))).toContain(
        'city-services: hospitals, departments, doctors, slots',
      );
      const fs = (await api.call('GET', '/v1/hospitals?city=foshan')).body.items;
      expect(fs.find((h: { id: string }) => h.id === 'fs-tcm').names).toEqual({ 'zh-CN': '佛山市中医院' });
      const fine = (
        await api.db.query<{ offences: unknown; locations: unknown }>(
          `SELECT offences, locations FROM traffic_fines WHERE id = 'fine-fs-0001'`,
        )
      ).rows[0]!;
      expect(fine).toEqual({
        offences: { 'zh-CN': '占用公交专用道' },
        locations: { 'zh-CN': '禅城区季华五路' },
      });
      expect(
        (
          await api.db.query(
            `SELECT holder_masked, address_masked FROM electricity_accounts WHERE account_no = '0755100200301'`,
          )
        ).rows[0],
      ).toEqual({ holder_masked: '陈*伟', address_masked: '深圳市福田区****' });
      expect(fs.find((h: { id: string }) => h.id === 'fs-first')).toMatchObject({
        names: { 'zh-CN': '佛山市第一人民医院' },
        addresses: { 'zh-CN': '佛山市禅城区岭南大道北81号' },
        grades: { 'zh-CN': '三级甲等' },
      });
      const doctor = (await api.call('GET', '/v1/doctors?departmentId=fs-tcm-int')).body.items[0];
      expect(doctor.names['zh-CN']).toMatch(/^\p{Script=Han}{2,3}$/u);
      const departures = await api.call(
        'GET',
        `/v1/transport/departures?from=shenzhen&to=guangzhou&date=${cstDate(1)}`,
      );
      const rail = departures.body.items.find((d: { mode: string }) => d.mode === 'rail');
      expect([rail.from.stationNames, rail.to.stationNames]).toEqual([
        { 'zh-CN': '深圳北站' },
        { 'zh-CN': '广州南站' },
      ]);
      expect(rail.operatorNames).toEqual({ 'zh-CN': '中国铁路广州局集团' });
      // Seeded once: another run changes nothing.
      expect(await seedDemoData(api.db, seedersOf(CITY_SERVICE_MODULES))).toEqual([]);
    });

    it('lists rail and coach departures with seat maps, and holds expire and free the seat', async () => {
      const deps = await api.call(
        'GET',
        `/v1/transport/departures?from=guangzhou&to=shenzhen&date=${cstDate(2)}`,
      );
      expect(deps.body.items.map((d: { mode: string }) => d.mode).sort()).toEqual([
        'coach',
        'coach',
        'rail',
        'rail',
        'rail',
        'rail',
        'rail',
      ]);
      const rail = deps.body.items.find((d: { mode: string }) => d.mode === 'rail');
      expect(rail).toMatchObject({
        from: { station: 'Guangzhou South' },
        to: { station: 'Shenzhen North' },
        price: '74.50',
        seatsFree: 70,
      });
      const seats = await api.call('GET', `/v1/transport/departures/${rail.id}/seats`);
      expect(seats.body.items).toHaveLength(70);

      const hold = (token: string) =>
        api.call('POST', '/v1/transport/tickets', {
          token,
          body: {
            departureId: rail.id,
            seats: ['01A'],
            passenger: { name: 'Wang Fang', idNumber: '440604199203154327' },
          },
        });
      const first = await hold(citizen);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ status: 'held', seats: ['01A'], amount: '74.50' });
      // The ticket says which service it is for, from where to where and when.
      const departure = {
        serviceNo: rail.serviceNo,
        mode: 'rail',
        from: rail.from,
        to: rail.to,
        departAt: rail.departAt,
        arriveAt: rail.arriveAt,
      };
      expect(first.body.departure).toEqual(departure);
      const mine = await api.call('GET', '/v1/transport/tickets', { token: citizen });
      expect(mine.body.items.find((x: { id: string }) => x.id === first.body.id).departure).toEqual(
        departure,
      );
      const other = await api.token('zhao');
      expect((await hold(other)).status).toBe(409);
      await new Promise((r) => setTimeout(r, 1_300));
      // The hold ended: the seat shows free, the next booker gets it, the first ticket is expired.
      const map = await api.call('GET', `/v1/transport/departures/${rail.id}/seats`);
      expect(map.body.items.find((s: { seatNo: string }) => s.seatNo === '01A').status).toBe('free');
      expect((await hold(other)).status).toBe(201);
      expect(
        (await api.call('GET', `/v1/transport/tickets/${first.body.id}`, { token: citizen })).body.status,
      ).toBe('expired');
      const late = await api.call('POST', '/v1/payments', {
        token: citizen,
        body: { kind: 'ticket', targetId: first.body.id },
      });
      expect(late.status).toBe(409);
      const expired = await api.db.query(
        `SELECT 1 FROM outbox WHERE event->>'type' = 'city.booking.expired.v1' AND event->'data'->>'bookingId' = $1 AND event->'data'->>'userId' = 'wang'`,
        [first.body.id],
      );
      expect(expired.rowCount).toBe(1);
      const invalid = await api.call('POST', '/v1/transport/tickets', {
        token: citizen,
        body: {
          departureId: rail.id,
          seats: ['99Z'],
          passenger: { name: 'W', idNumber: '440604199203154327' },
        },
      });
      expect(invalid.status).toBe(422);
    });

    it('shows electricity bills by account and fines only for the right plate and engine suffix', async () => {
      const bills = await api.call('GET', '/v1/utilities/electricity/accounts/0201300400501/bills', {
        token: citizen,
      });
      expect(bills.body.account).toMatchObject({
        city: 'guangzhou',
        holder: '黄*明',
        address: '广州市天河区****',
      });
      expect(bills.body.items).toHaveLength(6);
      expect(bills.body.items[0].status).toBe('unpaid');
      const fines = await api.call(
        'GET',
        `/v1/fines?plate=${encodeURIComponent('粤A6M789')}&engineNoSuffix=098765`,
        { token: citizen },
      );
      expect(fines.body.items).toHaveLength(2);
      // The offence and the place in Chinese too, for the zh-CN page.
      expect(fines.body.items[0]).toMatchObject({
        offence: 'Using a phone while driving',
        offences: { 'zh-CN': '驾车时接打手机' },
        location: 'Huangpu Ave West, Tianhe',
        locations: { 'zh-CN': '天河区黄埔大道西' },
        points: 3,
      });
      const wrong = await api.call(
        'GET',
        `/v1/fines?plate=${encodeURIComponent('粤A6M789')}&engineNoSuffix=098764`,
        { token: citizen },
      );
      expect(wrong.body.items).toEqual([]);
      const partial = await api.call(
        'GET',
        `/v1/fines?plate=${encodeURIComponent('粤A6M789')}&engineNoSuffix=765`,
        { token: citizen },
      );
      expect(partial.status).toBe(400);
      expect(partial.body.errors[0].field).toBe('engineNoSuffix');
    });

    it('takes incident reports with a checked photo and moves them through the staff workflow', async () => {
      const form = (photo: Blob | null, lat = '23.13') => {
        const f = new FormData();
        f.set('category', 'blocked_storm_drain');
        f.set('lat', lat);
        f.set('lon', '113.27');
        f.set('description', 'Drain blocked, street flooding after rain');
        f.set('reporter.phone', '13902223333');
        if (photo) f.set('photo', photo, 'drain.png');
        return fetch(`${api.url}/v1/incidents`, {
          method: 'POST',
          body: f,
          headers: { authorization: `Bearer ${citizen}` },
        });
      };
      const ok = await form(new Blob([PNG], { type: 'image/png' }));
      expect(ok.status).toBe(201);
      const incident = (await ok.json()) as { id: string; city: string; photoUrl: string; status: string };
      expect(incident).toMatchObject({ city: 'guangzhou', status: 'submitted' });
      const photo = await fetch(api.url + incident.photoUrl);
      expect(photo.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await photo.arrayBuffer())).toEqual(PNG);

      const fake = await form(new Blob(['<svg onload=alert(1)>'], { type: 'image/png' }));
      expect(fake.status).toBe(415);
      const huge = await form(new Blob([Buffer.concat([PNG, Buffer.alloc(30_000)])], { type: 'image/png' }));
      expect(huge.status).toBe(413);
      const far = await form(null, '39.9');
      expect(far.status).toBe(422);

      const patch = (status: string) =>
        api.call('PATCH', `/v1/incidents/${incident.id}`, {
          token: staff,
          body: { status, note: `now ${status}` },
        });
      expect((await patch('resolved')).status).toBe(409);
      for (const s of ['acknowledged', 'in_progress', 'resolved'])
        expect((await patch(s)).body.status).toBe(s);
      expect((await patch('rejected')).status).toBe(409);

      const open = await api.call('GET', '/v1/incidents?city=guangzhou&status=submitted,acknowledged');
      expect(open.body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);
      const inBox = await api.call('GET', '/v1/incidents?bbox=113.2,23.1,113.3,23.2&status=resolved');
      expect(inBox.body.items.map((i: { id: string }) => i.id)).toEqual([incident.id]);
      const events = await api.db.query<{ type: string; city: string }>(
        `SELECT event->>'type' AS type, event->'data'->>'city' AS city FROM outbox WHERE key = $1 ORDER BY id`,
        [incident.id],
      );
      expect(events.rows).toHaveLength(4);
      expect(events.rows.every((e) => e.city === 'guangzhou')).toBe(true);
    });

    it('serves the same incidents through Open311 GeoReport v2', async () => {
      const services = await api.call('GET', '/open311/v2/services.json');
      expect(services.body.map((s: { service_code: string }) => s.service_code)).toContain('pothole');
      const posted = await api.call('POST', '/open311/v2/requests.json', {
        body: 'service_code=pothole&lat=22.54&long=114.06&description=Pothole%20in%20the%20right%20lane&email=a%40b.cn&first_name=Li',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(posted.status).toBe(201);
      const id = posted.body[0].service_request_id;
      const one = await api.call('GET', `/open311/v2/requests/${id}.json`);
      expect(one.body[0]).toMatchObject({
        service_request_id: id,
        status: 'open',
        service_code: 'pothole',
        lat: 22.54,
        long: 114.06,
      });
      const v1 = await api.call('GET', `/v1/incidents/${id}`);
      expect(v1.body).toMatchObject({ city: 'shenzhen', category: 'pothole' });
      const openOnes = await api.call('GET', '/open311/v2/requests.json?status=open');
      expect(openOnes.body.map((r: { service_request_id: string }) => r.service_request_id)).toContain(id);
      const bad = await api.call('POST', '/open311/v2/requests.json', {
        body: 'service_code=unicorn&lat=22.54&long=114.06&description=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(bad.status).toBe(400);
    });
  });
}
