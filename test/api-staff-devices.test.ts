/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by expect() */
// Stations and cameras managed by staff, on the real servers: a station is created, edited
// (validated like a new one), disabled, enabled and deleted through the API of one process while
// an ingest process refuses and accepts its readings (HTTP JSON and line protocol) within 6 s (its
// station cache is at most 5 s old); a camera is registered and deleted (the ingest worker stops
// it); every change is in the audit log.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../core/bus/index.ts';
import { CameraRegistry } from '../core/domain/camera-registry.ts';
import type { CameraStatus } from '../core/events/index.ts';
import { testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { startStaffHubs, type JsonCall, type StaffHubs } from './support/staff-hubs.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const postgres = await serviceAvailable('postgres');

describe.runIf(kafka && postgres)('staff manage stations and cameras', () => {
  const prefix = testTopicPrefix('staffdevices');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const station = `SZ-V${run}`;
  const camera = `cam-v${run.toLowerCase()}`;
  const secret = 'staff-devices-test-secret-0123456789abcdef';
  const apiKey = `devices-${run}-key`;
  let hubs: StaffHubs;
  let statusReader: Consumer | undefined;
  const statuses: CameraStatus[] = [];

  const call: JsonCall = (...args) => hubs.call(...args);
  /** Pushes one reading to the ingest process; resolves its status and body text. */
  const push = async () => {
    const res = await fetch(`${hubs.ingest.url}/v1/ingest/air`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ stationId: station, time: new Date().toISOString(), pm25: 12 }),
    });
    return { status: res.status, text: await res.text() };
  };
  /** The same reading in line protocol. */
  const pushLine = async () => {
    const res = await fetch(`${hubs.ingest.url}/api/v2/write?precision=ms`, {
      method: 'POST',
      headers: { authorization: `Token ${apiKey}` },
      body: `air,stationId=${station} pm25=12 ${Date.now()}`,
    });
    return { status: res.status, text: await res.text() };
  };
  /** Both push paths refuse the station's reading with `reason`. */
  const refusedWith = async (reason: string) => {
    for (const r of [await push(), await pushLine()])
      if (r.status !== 400 || !r.text.includes(reason)) return false;
    return true;
  };

  beforeAll(async () => {
    hubs = await startStaffHubs({
      kafka: kafka!.value!,
      postgres: postgres!.value!,
      prefix,
      name: 'devices',
      run,
      secret,
      staffSub: 'device-admin',
      ingestEnv: { CITYSTREAM_API_KEYS: `devices:${apiKey}` },
    });
    // Topics created a moment ago may answer "not the leader" at first: retry the subscription.
    statusReader = await waitFor(
      () =>
        hubs.api.ctx.bus.consume({
          mode: 'broadcast',
          groupId: `devices-test-status-${run}`,
          topics: ['camera.status.v1'],
          start: 'earliest',
          handler: async (batch) => {
            for (const d of batch.deliveries) if (d.event) statuses.push(d.event.data);
          },
        }),
      'the camera status subscription',
    );
  }, 120_000);

  afterAll(async () => {
    await statusReader?.stop();
    await hubs?.stop();
  }, 60_000);

  it('creates, edits, disables, enables and deletes a station; ingest follows within 6 s; all audited', async () => {
    const created = await call('POST', '/v1/air/stations', {
      id: station,
      name: 'Futian test site',
      names: { 'zh-CN': '福田测试点' },
      city: 'shenzhen',
      lat: 22.54,
      lon: 114.06,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: station, enabled: true, names: { 'zh-CN': '福田测试点' } });
    await waitFor(async () => (await push()).status === 202, 'the ingest process to accept the new station');

    // Edits are validated as a new station is: a latitude out of range, a point outside the city.
    const edit = {
      name: 'Futian civic centre',
      names: { 'zh-CN': '福田市民中心', 'zh-HK': '福田市民中心' },
      city: 'shenzhen',
      lat: 22.545,
      lon: 114.055,
      enabled: true,
    };
    const badLat = await call('PUT', `/v1/air/stations/${station}`, { ...edit, lat: 95 });
    expect(badLat.status).toBe(400);
    expect(badLat.type).toContain('application/problem+json');
    expect(badLat.body.errors.map((e: { field: string }) => e.field)).toContain('lat');
    const outside = await call('PUT', `/v1/air/stations/${station}`, { ...edit, lat: 23.13, lon: 113.26 });
    expect(outside.status).toBe(400);
    expect(outside.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'lat',
          message: expect.stringContaining('from the centre of shenzhen'),
        }),
      ]),
    );
    // Names in other languages: keyed by language tag, each 1-200 characters; every bad one named.
    const badNames = await call('PUT', `/v1/air/stations/${station}`, {
      ...edit,
      names: { 'zh-CN': '', Chinese: '福田' },
    });
    expect(badNames.status).toBe(400);
    expect(badNames.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'names.zh-CN' }),
        expect.objectContaining({
          field: 'names.Chinese',
          message: 'expected a language tag such as zh-CN or en',
        }),
      ]),
    );
    const missing = await call('PUT', `/v1/air/stations/SZ-NONE${run}`, edit);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');

    const edited = await call('PUT', `/v1/air/stations/${station}`, edit);
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ id: station, ...edit });
    expect((await call('GET', `/v1/air/stations/${station}`)).body).toEqual({ id: station, ...edit });
    const listed = (await call('GET', '/v1/air/stations?city=shenzhen')).body.items;
    expect(listed.find((s: { id: string }) => s.id === station)).toEqual({ id: station, ...edit });
    // A replace is whole: names left out are gone.
    const { names: _names, ...unnamed } = edit;
    expect((await call('PUT', `/v1/air/stations/${station}`, unnamed)).body.names).toEqual({});
    expect((await call('PUT', `/v1/air/stations/${station}`, edit)).body).toEqual({ id: station, ...edit });

    // Disabled: the ingest process (another process, with its own cache) refuses within 6 s.
    expect((await call('PUT', `/v1/air/stations/${station}`, { ...edit, enabled: false })).status).toBe(200);
    let since = Date.now();
    await waitFor(() => refusedWith(`station ${station} is disabled`), 'the disabled station refused', 6_000);
    expect(Date.now() - since).toBeLessThan(6_000);

    expect((await call('PUT', `/v1/air/stations/${station}`, edit)).status).toBe(200);
    since = Date.now();
    await waitFor(
      async () => (await push()).status === 202 && (await pushLine()).status === 204,
      'the re-enabled station accepted',
      6_000,
    );
    expect(Date.now() - since).toBeLessThan(6_000);

    // Deleted: gone from the API, and its readings refused as an unknown station's.
    expect((await call('DELETE', `/v1/air/stations/${station}`)).status).toBe(204);
    expect((await call('GET', `/v1/air/stations/${station}`)).status).toBe(404);
    const again = await call('DELETE', `/v1/air/stations/${station}`);
    expect(again.status).toBe(404);
    expect(again.type).toContain('application/problem+json');
    await waitFor(() => refusedWith(`unknown station ${station}`), 'the deleted station refused', 6_000);

    const audit = (await call('GET', `/v1/staff/audit?target=station/${station}`)).body.items;
    expect(audit.map((e: { action: string }) => e.action).reverse()).toEqual([
      'station.create',
      'station.update',
      'station.update',
      'station.update',
      'station.update',
      'station.update',
      'station.delete',
    ]);
    expect(audit.every((e: { actor: string }) => e.actor === 'device-admin')).toBe(true);
    const disabling = audit.find((e: { after?: { enabled?: boolean } }) => e.after?.enabled === false);
    expect(disabling).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
    expect(audit[0]).toMatchObject({ action: 'station.delete', before: { id: station, enabled: true } });
  });

  it('registers a camera and deletes it: the worker stops it, GET and DELETE then answer 404; audited', async () => {
    const registered = await call('POST', '/v1/cameras', {
      id: camera,
      name: 'Test junction',
      names: { 'zh-CN': '测试路口' },
      city: 'shenzhen',
      lat: 22.54,
      lon: 114.06,
      // Nothing listens there: the worker's ffmpeg fails, which is enough to see it run and stop.
      url: 'rtsp://viewer:s3cret-pw@127.0.0.1:9/stream',
      snapshotIntervalSeconds: 1,
    });
    expect(registered.status).toBe(201);
    await waitFor(
      () => statuses.some((s) => s.cameraId === camera && s.status !== 'offline'),
      'the ingest worker to run the camera',
    );

    // An edit sends back the URL as staff read it, password masked: the stored one is kept.
    const seen = (await call('GET', `/v1/cameras/${camera}`)).body;
    expect(seen.url).toBe('rtsp://viewer:***@127.0.0.1:9/stream');
    expect(seen.names).toEqual({ 'zh-CN': '测试路口' });
    const { status: _s, latestSnapshot: _l, snapshotUrl: _u, ...fields } = seen;
    expect((await call('POST', '/v1/cameras', { ...fields, name: 'Test junction north' })).status).toBe(200);
    const registry = await CameraRegistry.open(hubs.api.ctx.bus, `devices-test-${run}`);
    try {
      expect(registry.get(camera)?.config).toMatchObject({
        name: 'Test junction north',
        names: { 'zh-CN': '测试路口' },
        url: 'rtsp://viewer:s3cret-pw@127.0.0.1:9/stream',
      });
    } finally {
      await registry.close();
    }

    expect((await call('DELETE', `/v1/cameras/${camera}`)).status).toBe(204);
    const gone = await call('GET', `/v1/cameras/${camera}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('not_found');
    const again = await call('DELETE', `/v1/cameras/${camera}`);
    expect(again.status).toBe(404);
    expect(again.type).toContain('application/problem+json');
    await waitFor(
      () =>
        statuses.some(
          (s) => s.cameraId === camera && s.status === 'offline' && s.reason === 'camera removed',
        ),
      'the ingest worker to stop the removed camera',
      10_000,
    );

    const audit = (await call('GET', `/v1/staff/audit?target=camera/${camera}`)).body.items;
    expect(audit.map((e: { action: string }) => e.action).reverse()).toEqual([
      'camera.register',
      'camera.replace',
      'camera.delete',
    ]);
    expect(JSON.stringify(audit)).not.toContain('s3cret-pw');
    expect(audit[1]).toMatchObject({
      before: { name: 'Test junction' },
      after: { name: 'Test junction north' },
    });
    expect(audit[0].before).toMatchObject({ id: camera, url: expect.stringContaining('127.0.0.1:9/stream') });
  });
});
