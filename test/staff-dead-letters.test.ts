/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON, checked by expect() */
// Dead letters for staff on the real servers: a reading for a station not yet registered is
// dead-lettered, listed with its reason and raw payload, replayed after the station is created,
// and stored; a replay that fails again comes back as a new dead letter naming the first (no
// loop); replays and discards are in the audit log.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { loadConfig } from '../core/config/index.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { createTestDatabase } from './support/postgres.ts';
import { serviceAvailable } from './support/services.ts';
import { jsonCaller, type JsonCall } from './support/staff-hubs.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const postgres = await serviceAvailable('postgres');
const mqttServer = await serviceAvailable('mqtt');

describe.runIf(kafka && postgres && mqttServer)('dead letters: list, replay, discard', () => {
  const prefix = testTopicPrefix('staffdlq');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const station = `SZ-D${run}`;
  const broken = `SZ-E${run}`;
  const secret = 'staff-dlq-test-secret-0123456789abcdef';
  let hub: Hub;
  let url: string;
  let dbDrop: () => Promise<void>;
  let client: mqtt.MqttClient;

  let call: JsonCall;
  const letters = async (query: string) => (await call('GET', `/v1/staff/dead-letters?${query}`)).body.items;

  beforeAll(async () => {
    const database = await createTestDatabase(postgres!.value!);
    dbDrop = database.drop;
    hub = await Hub.start(
      loadConfig({
        KAFKA_BROKERS: kafka!.value!,
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: database.url,
        MQTT_URL: mqttServer!.value!,
        CITYSTREAM_HTTP_HOST: '127.0.0.1',
        CITYSTREAM_HTTP_PORT: '0',
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_ROLES: 'ingest,api',
        CITYSTREAM_JWT_SECRET: secret,
        CITYSTREAM_INSTANCE_ID: `dlq-test-${run}`,
      }),
      { logger: silentLogger() },
    );
    url = `http://127.0.0.1:${hub.port}`;
    call = jsonCaller(url, await mintToken(secret, { sub: 'dlq-admin', role: 'staff' }));
    client = await mqtt.connectAsync(mqttServer!.value!, { protocolVersion: 5 });
  }, 120_000);

  afterAll(async () => {
    await client?.endAsync();
    await hub?.stop();
    await dbDrop?.();
    await deleteTestTopics([kafka!.value!], prefix);
  }, 60_000);

  it('replays a reading dead-lettered for an unknown station once the station exists, and it is stored', async () => {
    const time = new Date(Date.now() - 60_000).toISOString();
    await client.publishAsync(`citystream/air/${station}/readings`, JSON.stringify({ time, pm25: 41.5 }), {
      qos: 1,
    });
    await client.publishAsync(`citystream/air/${broken}/readings`, '{"pm25": <b>oops</b>', { qos: 1 });
    const [letter] = await waitFor(async () => {
      const l = await letters(`origin=ingest:mqtt:citystream/air/${station}/`);
      return l.length ? l : null;
    }, 'the dead letter of the unknown station');
    expect(letter).toMatchObject({ status: 'open', replayable: true });
    expect(letter.reason).toContain(station);
    expect(JSON.parse(letter.text)).toEqual({ time, pm25: 41.5 });
    const [bad] = await waitFor(async () => {
      const l = await letters(`origin=ingest:mqtt:citystream/air/${broken}/`);
      return l.length ? l : null;
    }, 'the dead letter of the malformed message');
    // The payload comes back as text for the console to show as text, markup and all.
    expect(bad.text).toBe('{"pm25": <b>oops</b>');
    expect(bad.reason).toMatch(/^not valid JSON/);

    const counts = (await call('GET', '/v1/staff/dead-letters/counts?status=open')).body.items;
    expect(counts.reduce((n: number, c: { count: number }) => n + c.count, 0)).toBeGreaterThanOrEqual(2);

    expect(
      (
        await call('POST', '/v1/air/stations', {
          id: station,
          name: 'Replay test',
          city: 'shenzhen',
          lat: 22.54,
          lon: 114.06,
        })
      ).status,
    ).toBe(201);
    const replayed = await call('POST', '/v1/staff/dead-letters/replay', {
      ids: [letter.id, bad.id, 'nope'],
    });
    expect(replayed.body.items).toEqual([
      { id: letter.id, ok: true, target: `mqtt:citystream/air/${station}/readings` },
      { id: bad.id, ok: true, target: `mqtt:citystream/air/${broken}/readings` },
      { id: 'nope', ok: false, error: 'no such dead letter' },
    ]);

    const latest = await waitFor(async () => {
      const r = await fetch(`${url}/v1/air/stations/${station}/latest`);
      return r.status === 200 ? ((await r.json()) as { reading: { pm25?: number; time: string } }) : null;
    }, 'the replayed reading stored');
    expect(latest.reading).toMatchObject({ pm25: 41.5, time });

    // The malformed one fails again: a new dead letter that names the replayed one, left open.
    const again = await waitFor(async () => {
      const l = await letters(`origin=ingest:mqtt:citystream/air/${broken}/&status=open`);
      return l.find((x: { replayOf: string | null }) => x.replayOf === bad.id);
    }, 'the failed replay back in the dead letters');
    expect(again.reason).toMatch(/^not valid JSON/);
    expect((await letters(`origin=ingest:mqtt:citystream/air/${station}/`))[0].status).toBe('replayed');

    const discarded = await call('POST', '/v1/staff/dead-letters/discard', { ids: [again.id] });
    expect(discarded.body.discarded).toEqual([again.id]);
    const refused = await call('POST', '/v1/staff/dead-letters/replay', { ids: [again.id] });
    expect(refused.body.items[0]).toMatchObject({ ok: false, error: 'discarded' });

    const audit = (await call('GET', '/v1/staff/audit?action=dead_letter.')).body.items;
    expect(audit.map((e: { action: string; target: string }) => `${e.action} ${e.target}`).sort()).toEqual(
      [
        `dead_letter.discard dead_letter/${again.id}`,
        `dead_letter.replay dead_letter/${bad.id}`,
        `dead_letter.replay dead_letter/${letter.id}`,
      ].sort(),
    );
  });
});
