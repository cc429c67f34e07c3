/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON, checked by expect() */
// Integrator keys made by staff: a key created through the API pushes readings to a second hub
// process (HTTP JSON, line protocol, MQTT), its usage is counted, and once revoked that process
// refuses it on all three paths within 2 s, with no restart: the revocation travels over Kafka.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../core/bus/index.ts';
import type { DeadLetter } from '../core/events/index.ts';
import { testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { startStaffHubs, type JsonCall, type StaffHubs } from './support/staff-hubs.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const postgres = await serviceAvailable('postgres');
const mqttServer = await serviceAvailable('mqtt');

describe.runIf(kafka && postgres && mqttServer)('integrator keys across processes', () => {
  const prefix = testTopicPrefix('staffkeys');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const station = `SZ-K${run}`;
  const other = `GZ-K${run}`;
  const secret = 'staff-keys-test-secret-0123456789abcdef';
  let hubs: StaffHubs;
  let dlq: Consumer | undefined;
  const letters: DeadLetter[] = [];
  let client: mqtt.MqttClient;

  const call: JsonCall = (...args) => hubs.call(...args);
  const reading = (id = station) => ({ stationId: id, time: new Date().toISOString(), pm25: 12 });
  const pushJson = (key: string, id = station) =>
    fetch(`${hubs.ingest.url}/v1/ingest/air`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(reading(id)),
    });
  const pushLine = (key: string) =>
    fetch(`${hubs.ingest.url}/api/v2/write?precision=ms`, {
      method: 'POST',
      headers: { authorization: `Token ${key}` },
      body: `air,stationId=${station} pm25=13 ${Date.now()}`,
    });
  const publishMqtt = (key: string) =>
    client.publishAsync(`citystream/air/${station}/readings`, JSON.stringify(reading()), {
      qos: 1,
      properties: { userProperties: { 'api-key': key } },
    });

  beforeAll(async () => {
    hubs = await startStaffHubs({
      kafka: kafka!.value!,
      postgres: postgres!.value!,
      prefix,
      name: 'keys',
      run,
      secret,
      staffSub: 'key-admin',
      ingestEnv: { MQTT_URL: mqttServer!.value! },
    });
    // Topics created a moment ago may answer "not the leader" at first: retry the subscription.
    dlq = await waitFor(
      () =>
        hubs.api.ctx.bus.consume({
          mode: 'broadcast',
          groupId: 'keys-test-dlq',
          topics: ['dlq.v1'],
          start: 'earliest',
          handler: async (batch) => {
            for (const d of batch.deliveries) letters.push(d.event!.data);
          },
        }),
      'the dead-letter subscription',
    );
    client = await mqtt.connectAsync(mqttServer!.value!, { protocolVersion: 5 });
    for (const [id, city, lat, lon] of [
      [station, 'shenzhen', 22.54, 114.06],
      [other, 'guangzhou', 23.13, 113.26],
    ] as const) {
      expect((await call('POST', '/v1/air/stations', { id, name: id, city, lat, lon })).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await client?.endAsync();
    await dlq?.stop();
    await hubs?.stop();
  }, 60_000);

  it('creates a scoped key that pushes on every path, counts its use, and is refused everywhere within 2 s of revocation', async () => {
    const created = await call('POST', '/v1/staff/keys', { name: 'Acme sensors', city: 'shenzhen' });
    expect(created.status).toBe(201);
    const { secret: key, key: view } = created.body;
    expect(key).toMatch(/^csk_/);
    // Only the hash is stored.
    const stored = await hubs.api.ctx.db().then((db) => db.query('SELECT hash FROM integrator_keys'));
    expect(JSON.stringify(stored.rows)).not.toContain(key);

    // The second process learns the key over the bus.
    await waitFor(
      async () => (await pushJson(key)).status === 202,
      'the ingest process to accept the new key',
    );
    expect((await pushLine(key)).status).toBe(204);
    await publishMqtt(key);
    // The scope holds: a Guangzhou station is refused for this Shenzhen key.
    const outside = await pushJson(key, other);
    expect(outside.status).toBe(400);
    expect(JSON.stringify(await outside.json())).toContain('may push only for stations in shenzhen');

    const used = await waitFor(async () => {
      const k = (await call('GET', '/v1/staff/keys')).body.items.find(
        (i: { id: string }) => i.id === view.id,
      );
      return k.accepted >= 3 && k.rejected >= 1 && k.lastUsedAt ? k : null;
    }, 'usage counts from the ingest process');
    expect(used).toMatchObject({ name: 'Acme sensors', city: 'shenzhen', revokedAt: null });

    expect((await call('POST', `/v1/staff/keys/${view.id}/revoke`)).status).toBe(200);
    const revokedAt = Date.now();
    const left = () => Math.max(1, 2_000 - (Date.now() - revokedAt));
    await waitFor(
      async () => (await pushJson(key)).status === 401 && (await pushLine(key)).status === 401,
      'HTTP and line protocol to refuse the revoked key',
      left(),
    );
    await publishMqtt(key);
    await waitFor(
      () =>
        letters.some(
          (l) =>
            l.origin === `ingest:mqtt:citystream/air/${station}/readings` &&
            l.reason === 'unknown or revoked API key',
        ),
      'the MQTT message with the revoked key dead-lettered',
      left(),
    );
    expect(Date.now() - revokedAt).toBeLessThan(2_000);

    const audit = await call('GET', `/v1/staff/audit?target=key/${view.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'key.create',
      'key.revoke',
    ]);
  });

  it('rotates a key: the new secret works, the old one is refused', async () => {
    const { body } = await call('POST', '/v1/staff/keys', { name: 'Rotating', stations: [station] });
    await waitFor(async () => (await pushJson(body.secret)).status === 202, 'the new key accepted');
    const rotated = await call('POST', `/v1/staff/keys/${body.key.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(body.secret);
    await waitFor(
      async () =>
        (await pushJson(body.secret)).status === 401 && (await pushJson(rotated.body.secret)).status === 202,
      'the old secret refused and the new one accepted',
      5_000,
    );
  });
});
