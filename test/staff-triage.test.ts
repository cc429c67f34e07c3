/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by expect() */
// Staff triage over real HTTP: every staff route (read from /openapi.json) refuses citizens; actions
// need If-Match and the loser of a race gets 412 with the fresh state; each status change reaches
// the reporter live on user:{id} and the city on incidents:city:{c}; the audit log has every action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startApi, type ApiHarness } from './support/api.ts';
import { RawClient } from './support/stream.ts';
import { waitFor } from './support/wait.ts';

const report = {
  category: 'pothole',
  lat: 22.543,
  lon: 114.057,
  description: 'Deep pothole in the bus lane',
  reporter: { name: 'Li Na', phone: '13800001111' },
};

for (const backend of await backends()) {
  describe(`staff triage on ${backend.name}`, () => {
    let api: ApiHarness;
    let citizen: string;
    let staff: string;
    let staff2: string;

    beforeAll(async () => {
      // api + stream in one process on the embedded bus: the outbox relay feeds the gateway.
      api = await startApi(backend, { CITYSTREAM_ROLES: 'api,stream' });
      [citizen, staff, staff2] = await Promise.all([
        api.token('lina'),
        api.token('desk-1', 'staff'),
        api.token('desk-2', 'staff'),
      ]);
    });
    afterAll(() => api?.stop());

    it('refuses a citizen on every staff route the OpenAPI spec lists', async () => {
      const spec = (await api.call('GET', '/openapi.json')).body;
      const staffOps: { method: string; path: string }[] = [];
      for (const [path, ops] of Object.entries<Record<string, { tags?: string[]; 'x-staff'?: boolean }>>(
        spec.paths,
      )) {
        for (const [method, op] of Object.entries(ops)) {
          if (op.tags?.includes('staff')) {
            expect(op['x-staff'], `${method} ${path} x-staff`).toBe(true);
            staffOps.push({ method: method.toUpperCase(), path });
          }
        }
      }
      // The triage, audit, device and pre-existing staff routes are all there.
      const listed = staffOps.map((o) => `${o.method} ${o.path}`);
      expect(listed).toEqual(
        expect.arrayContaining([
          'GET /v1/staff/incidents',
          'POST /v1/staff/incidents/{id}/actions',
          'PATCH /v1/incidents/{id}',
          'GET /v1/staff/audit',
          'GET /v1/staff/audit.csv',
          'PUT /v1/air/stations/{id}',
          'DELETE /v1/air/stations/{id}',
          'DELETE /v1/cameras/{id}',
        ]),
      );
      for (const op of staffOps) {
        const path = op.path.replace(/\{[^}]+\}/g, 'x');
        const body = ['POST', 'PATCH', 'PUT'].includes(op.method) ? {} : undefined;
        const res = await api.call(op.method, path, { token: citizen, body });
        expect(res.status, `${op.method} ${path}`).toBe(403);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        // And anonymous callers are asked to sign in.
        expect((await api.call(op.method, path, { body })).status, `${op.method} ${path} anonymous`).toBe(
          401,
        );
      }
    });

    it('moves a report through the workflow with If-Match, the reporter and the city told live', async () => {
      const ws = await RawClient.connect(`${api.url.replace('http', 'ws')}/ws`, { token: citizen });
      ws.send({ type: 'subscribe', id: 1, channels: ['user:lina', 'incidents:city:shenzhen'] });
      await waitFor(() => ws.of('subscribed').length > 0, 'subscribed');

      const created = await api.call('POST', '/v1/incidents', { token: citizen, body: report });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(created.body.version).toBe(1);

      const queue = await api.call('GET', '/v1/staff/incidents?city=shenzhen&status=submitted', {
        token: staff,
      });
      const mine = queue.body.items.find((i: { id: string }) => i.id === id);
      expect(mine.reporter).toEqual({ name: 'Li Na', phone: '13800001111', email: null });

      const one = await api.call('GET', `/v1/staff/incidents/${id}`, { token: staff });
      expect(one.headers.get('etag')).toBe('"1"');

      const noMatch = await api.call('POST', `/v1/staff/incidents/${id}/actions`, {
        token: staff,
        body: { action: 'acknowledge' },
      });
      expect(noMatch.status).toBe(428);

      const ack = await api.call('POST', `/v1/staff/incidents/${id}/actions`, {
        token: staff,
        headers: { 'if-match': '"1"' },
        body: { action: 'acknowledge', note: 'A crew is on the way' },
      });
      expect(ack.status).toBe(200);
      expect(ack.headers.get('etag')).toBe('"2"');
      expect(ack.body).toMatchObject({
        status: 'acknowledged',
        statusNote: 'A crew is on the way',
        version: 2,
      });

      const assign = await api.call('POST', `/v1/staff/incidents/${id}/actions`, {
        token: staff,
        headers: { 'if-match': '"2"' },
        body: { action: 'assign', department: 'roads' },
      });
      expect(assign.body).toMatchObject({ department: 'roads', version: 3, status: 'acknowledged' });

      // The reporter's private channel carries the note; the city channel the status change.
      const notice = await waitFor(
        () =>
          ws
            .of('event')
            .find(
              (f) => f.channel === 'user:lina' && (f.event.data as { incidentId?: string }).incidentId === id,
            ),
        'the notice on user:lina',
      );
      expect(notice.event.data).toMatchObject({ status: 'acknowledged', note: 'A crew is on the way' });
      await waitFor(
        () =>
          ws
            .of('event')
            .some(
              (f) =>
                f.channel === 'incidents:city:shenzhen' &&
                f.event.type === 'city.incident.status_changed.v1' &&
                (f.event.data as { incidentId?: string }).incidentId === id,
            ),
        'the status change on incidents:city:shenzhen',
      );
      // The public channel never names the reporter.
      for (const f of ws.of('event').filter((e) => e.channel.startsWith('incidents:'))) {
        expect(JSON.stringify(f.event.data)).not.toContain('lina');
        expect(JSON.stringify(f.event.data)).not.toContain('13800001111');
      }
      ws.close();
    });

    it('lets one of two simultaneous resolutions win; the other gets 412 with the fresh state', async () => {
      const id = (await api.call('POST', '/v1/incidents', { token: citizen, body: report })).body.id;
      for (const [v, action] of [
        [1, 'acknowledge'],
        [2, 'start'],
      ] as const) {
        const r = await api.call('POST', `/v1/staff/incidents/${id}/actions`, {
          token: staff,
          headers: { 'if-match': `"${v}"` },
          body: { action },
        });
        expect(r.status).toBe(200);
      }
      const results = await Promise.all(
        [staff, staff2].map((t, i) =>
          api.call('POST', `/v1/staff/incidents/${id}/actions`, {
            token: t,
            headers: { 'if-match': '"3"' },
            body: { action: i === 0 ? 'resolve' : 'reject', note: `desk ${i + 1}` },
          }),
        ),
      );
      const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 412]);
      const lost = a.status === 412 ? a : b;
      const won = a.status === 200 ? a : b;
      expect(lost.headers.get('content-type')).toContain('application/problem+json');
      expect(lost.body.current).toMatchObject({ version: 4, status: won.body.status });
      expect(lost.headers.get('etag')).toBe('"4"');
      // The PATCH route honours If-Match too.
      const stale = await api.call('PATCH', `/v1/incidents/${id}`, {
        token: staff,
        headers: { 'if-match': '"3"' },
        body: { status: 'rejected' },
      });
      expect(stale.status).toBe(412);
    });

    it('keeps every staff action in the audit log, filterable and as CSV, and never rewritten', async () => {
      const log = await api.call('GET', '/v1/staff/audit?action=incident.', { token: staff });
      const actions = log.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining(['incident.acknowledge', 'incident.assign', 'incident.start']),
      );
      // Of the race, only the winner's action was recorded.
      expect(actions.filter((a: string) => a === 'incident.resolve' || a === 'incident.reject')).toHaveLength(
        1,
      );
      const ack = log.body.items.find((e: { action: string }) => e.action === 'incident.acknowledge');
      expect(ack).toMatchObject({
        actor: 'desk-1',
        before: { status: 'submitted' },
        after: { status: 'acknowledged' },
      });
      const byDesk2 = await api.call('GET', '/v1/staff/audit?actor=desk-2', { token: staff });
      expect(byDesk2.body.items.every((e: { actor: string }) => e.actor === 'desk-2')).toBe(true);
      const csv = await fetch(`${api.url}/v1/staff/audit.csv?action=incident.`, {
        headers: { authorization: `Bearer ${staff}` },
      });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('id,at,actor,action,target,before,after');
      expect(lines.length).toBe(log.body.items.length + 1);
      await expect(api.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await expect(api.db.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
    });
  });
}
