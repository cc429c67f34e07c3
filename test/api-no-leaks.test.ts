/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by expect() */
// What must stay private stays private: public incident feeds (API, outbox, the incidents.v1
// events the stream gateway fans out) carry no reporter id or contact data; camera views never
// return source credentials (staff see the URL with the password masked); and identity or phone
// numbers never reach a log line, not even through a database error quoting the failing row.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../core/events/envelope.ts';
import { EVENT_TYPES, TOPICS } from '../core/events/catalog.ts';
import { createLogger } from '../core/observability/index.ts';
import { backends, plantFixtures, startApi, type ApiHarness } from './support/api.ts';
import { waitFor } from './support/wait.ts';

const ID_NUMBER = '44030119900101999X';
const PHONE = '13912345678';
const EMAIL = 'witness@example.org';
const PASSWORD = 's3cretCamPass';

for (const backend of await backends()) {
  describe(`no leaks on ${backend.name}`, () => {
    let api: ApiHarness;
    const logs: string[] = [];
    let alice: string;
    let staff: string;

    beforeAll(async () => {
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          logs.push(chunk.toString());
          cb();
        },
      });
      api = await startApi(
        backend,
        { CITYSTREAM_LOG_LEVEL: 'info' },
        { logger: createLogger('info', {}, sink) },
      );
      await plantFixtures(api.db);
      [alice, staff] = await Promise.all([api.token('alice-reporter'), api.token('officer', 'staff')]);
    });
    afterAll(() => api?.stop());

    it('keeps identity and phone numbers out of the log, even when the database quotes the row', async () => {
      // A constraint the booking breaks: the database error names the failing row's values.
      await api.db.exec(
        `ALTER TABLE appointments ADD CONSTRAINT leak_probe CHECK (patient_id_number <> '${ID_NUMBER}')`,
      );
      const r = await api.call('POST', '/v1/appointments', {
        token: alice,
        body: { slotId: 'slot1', patient: { name: 'Probe', idNumber: ID_NUMBER, phone: PHONE } },
      });
      await api.db.exec('ALTER TABLE appointments DROP CONSTRAINT leak_probe');
      expect(r.status).toBe(500);
      expect(JSON.stringify(r.body)).not.toContain(ID_NUMBER);
      const failed = logs.filter((l) => l.includes('request failed'));
      expect(failed.length).toBeGreaterThan(0);
      // The error is still useful: which constraint broke.
      expect(failed.join('')).toContain('leak_probe');
      const all = logs.join('');
      expect(all).not.toContain(ID_NUMBER);
      expect(all).not.toContain(PHONE);
    });

    it('publishes incident events and public views without reporter ids or contact data', async () => {
      const created = await api.call('POST', '/v1/incidents', {
        token: alice,
        body: {
          category: 'pothole',
          lat: 22.54,
          lon: 114.06,
          description: 'A deep hole in the right lane',
          reporter: { name: 'Ms Witness', phone: PHONE, email: EMAIL },
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const moved = await api.call('PATCH', `/v1/incidents/${id}`, {
        token: staff,
        body: { status: 'acknowledged' },
      });
      expect(moved.status).toBe(200);
      const secrets = ['alice-reporter', PHONE, EMAIL, 'Ms Witness'];
      for (const path of ['/v1/incidents', `/v1/incidents/${id}`, '/open311/v2/requests.json']) {
        const body = JSON.stringify((await api.call('GET', path)).body);
        expect(body, path).toContain(id);
        for (const s of secrets) expect(body, `${path} ${s}`).not.toContain(s);
      }
      // The reporter and staff still see the contact details.
      expect((await api.call('GET', `/v1/incidents/${id}`, { token: alice })).body.reporter.phone).toBe(
        PHONE,
      );
      const outbox = await api.db.query<{ event: unknown }>('SELECT event FROM outbox WHERE key = $1', [id]);
      expect(outbox.rows).toHaveLength(2);
      // What the relay published on incidents.v1, i.e. what incidents:city:shenzhen subscribers get.
      const seen: string[] = [];
      const consumer = await api.hub.ctx.bus.consume({
        mode: 'broadcast',
        groupId: `leak-probe-${backend.name}`,
        topics: [TOPICS.incidents.name],
        start: 'earliest',
        handler: async (batch) => {
          for (const d of batch.deliveries) seen.push(JSON.stringify(d.event));
        },
      });
      try {
        await waitFor(
          () => seen.filter((e) => e.includes(id)).length === 2,
          'both incident events on the bus',
        );
      } finally {
        await consumer.stop();
      }
      for (const e of [...outbox.rows.map((r) => JSON.stringify(r.event)), ...seen]) {
        expect(e).not.toContain('reporterId');
        for (const s of secrets) expect(e).not.toContain(s);
      }
    });

    it('never returns camera credentials; staff see the URL with the password masked', async () => {
      const url = `rtsp://admin:${PASSWORD}@10.0.0.5:554/Streaming/Channels/101`;
      const reg = await api.call('POST', '/v1/cameras', {
        token: staff,
        body: {
          id: 'cam-leak',
          name: 'Gate',
          city: 'shenzhen',
          lat: 22.54,
          lon: 114.06,
          url,
          enabled: false,
        },
      });
      expect(reg.status).toBe(201);
      // ffmpeg quotes the source URL in its errors; the status event carries that text.
      await api.hub.ctx.bus.publish(TOPICS.cameraStatus.name, [
        {
          key: 'cam-leak',
          event: makeEvent({
            type: EVENT_TYPES.cameraStatus,
            source: '/test',
            subject: 'cam-leak',
            data: {
              cameraId: 'cam-leak',
              city: 'shenzhen',
              status: 'error',
              reason: `${url}: 401 Unauthorized`,
              since: new Date().toISOString(),
            },
          }),
        },
      ]);
      await waitFor(
        async () => (await api.call('GET', '/v1/cameras/cam-leak')).body.status?.status === 'error',
        'the error status in the camera view',
      );
      for (const token of [undefined, alice, staff]) {
        for (const path of ['/v1/cameras', '/v1/cameras/cam-leak', '/v1/cameras?city=shenzhen']) {
          const body = JSON.stringify((await api.call('GET', path, { token })).body);
          expect(body, path).toContain('cam-leak');
          expect(body, path).not.toContain(PASSWORD);
        }
      }
      expect(JSON.stringify(reg.body)).not.toContain(PASSWORD);
      const anonymous = (await api.call('GET', '/v1/cameras/cam-leak')).body;
      expect(anonymous.url).toBeUndefined();
      expect(anonymous.status.reason).not.toContain('admin');
      const seenByStaff = (await api.call('GET', '/v1/cameras/cam-leak', { token: staff })).body;
      expect(seenByStaff.url).toBe('rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101');
      expect(logs.join('')).not.toContain(PASSWORD);
    });
  });
}
