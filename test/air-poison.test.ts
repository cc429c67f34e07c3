// Poison readings on the real servers: readings that pass a schema but break later code (a time
// no store can hold, a write InfluxDB refuses) never hold a request, a consumer or an MQTT session
// hostage. Intake answers 400 naming `time` for the bad item and keeps the others; what gets past
// intake goes to dlq.v1 with the reason and its source is committed or acknowledged; a restart
// with a persistent MQTT session full of poison starts and ingests the next valid reading.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import type { Consumer } from '../core/bus/index.ts';
import type { KafkaBus } from '../core/bus/kafka.ts';
import { loadConfig, type Config } from '../core/config/index.ts';
import { EVENT_TYPES, makeEvent, type AirReading, type DeadLetter } from '../core/events/index.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import { InfluxTimeSeries } from '../core/timeseries/influx.ts';
import { createTestBucket } from './support/timeseries.ts';
import { deleteTestTopics, quietKafkaBus, testTopicPrefix } from './support/kafka.ts';
import { createTestDatabase } from './support/postgres.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const influx = await serviceAvailable('influxdb');
const postgres = await serviceAvailable('postgres');
const mqttServer = await serviceAvailable('mqtt');
const ready = kafka && influx && postgres && mqttServer;

/** Epoch ms past the last time a JS Date can represent (8.64e15): passes `z.number().int()`. */
const BEYOND_DATE = 9e15;

describe.runIf(ready)('poison readings on real Kafka, InfluxDB, PostgreSQL and Mosquitto', () => {
  const prefix = testTopicPrefix('poison');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const GZ = `GZ-${run}-P`;
  const secret = 'air-poison-test-secret-0123456789abcdef';
  const json = { 'content-type': 'application/json', 'x-api-key': 'acme-key' };
  let config: Config;
  let hub: Hub | undefined;
  let url: string;
  let store: InfluxTimeSeries;
  let influxConfig: { url: string; token: string; org: string; bucket: string };
  let observer: KafkaBus;
  let letterReader: Consumer | undefined;
  let cleanup: (() => Promise<void>)[] = [];
  const letters: DeadLetter[] = [];
  const now = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const t = (s: number) => new Date(now + s * 1000).toISOString();

  const startHub = async () => {
    hub = await Hub.start(config, { logger: silentLogger() });
    url = `http://127.0.0.1:${hub.port}`;
  };
  const push = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', body, headers });
  const stored = async (from: number, to: number) =>
    store.range({
      measurement: 'air',
      tags: { stationId: GZ },
      from: new Date(now + from * 1000),
      to: new Date(now + to * 1000),
    });
  const mqttPublish = async (payload: string) => {
    const client = await mqtt.connectAsync(mqttServer!.value!);
    try {
      await client.publishAsync(`citystream/air/${GZ}/readings`, payload, { qos: 1 });
    } finally {
      await client.endAsync();
    }
  };
  const lettersWith = (raw: string) => letters.filter((l) => Buffer.from(l.raw, 'base64').toString() === raw);

  beforeAll(async () => {
    const base = loadConfig(process.env);
    const bucket = await createTestBucket(base.influx!);
    influxConfig = bucket.config;
    const database = await createTestDatabase(postgres!.value!);
    cleanup = [bucket.drop, database.drop];
    config = loadConfig({
      ...process.env,
      KAFKA_TOPIC_PREFIX: prefix,
      INFLUX_BUCKET: bucket.config.bucket,
      DATABASE_URL: database.url,
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_HTTP_PORT: '0',
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_ROLES: 'ingest,api',
      CITYSTREAM_API_KEYS: 'acme:acme-key',
      CITYSTREAM_JWT_SECRET: secret,
      // The same instance id across restarts: the hub resumes its persistent MQTT session.
      CITYSTREAM_INSTANCE_ID: `air-poison-${run}`,
    });
    await startHub();
    store = new InfluxTimeSeries(bucket.config);
    // Read dlq.v1 from outside the hub, so the reader outlives the restarts.
    observer = quietKafkaBus([kafka!.value!], `air-poison-${run}`, prefix);
    await observer.start();
    letterReader = await observer.consume({
      mode: 'broadcast',
      groupId: `air-poison-dlq-${run}`,
      topics: ['dlq.v1'],
      start: 'earliest',
      handler: async (batch) => {
        for (const d of batch.deliveries) letters.push(d.event!.data);
      },
    });
    const staff = await mintToken(secret, { sub: 'ops', role: 'staff' });
    const res = await push(
      '/v1/air/stations',
      JSON.stringify({ id: GZ, name: `Test ${GZ}`, city: 'guangzhou', lat: 23.13, lon: 113.26 }),
      { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
    );
    expect(res.status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await letterReader?.stop();
    await observer?.close();
    await store?.close();
    await hub?.stop();
    for (const c of cleanup) await c().catch(() => undefined);
    await deleteTestTopics([kafka!.value!], prefix);
  }, 60_000);

  it('HTTP push: a time no store can hold is a 400 naming `time`, and the other items are accepted', async () => {
    const res = await push(
      '/v1/ingest/air',
      JSON.stringify([
        { stationId: GZ, time: t(0), pm25: 11 },
        { stationId: GZ, time: BEYOND_DATE, pm25: 12 },
        { stationId: GZ, time: t(1), pm25: 13 },
      ]),
      json,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { accepted: number; errors: { index: number; field: string }[] };
    expect(problem.accepted).toBe(2);
    expect(problem.errors).toEqual([
      expect.objectContaining({
        index: 1,
        field: 'time',
        reason: expect.stringMatching(/outside the range a time-series store can hold/) as unknown,
      }),
    ]);
  });

  it('line protocol: a timestamp no store can hold is refused by line, naming `time`; the other line is taken', async () => {
    const res = await push(
      '/api/v2/write?precision=ms',
      [`air,stationId=${GZ} pm25=14 ${now + 2_000}`, `air,stationId=${GZ} pm25=15 ${BEYOND_DATE}`].join('\n'),
      { authorization: 'Token acme-key' },
    );
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { accepted: number; errors: { index: number; field: string }[] };
    expect(problem.accepted).toBe(1);
    expect(problem.errors).toEqual([expect.objectContaining({ index: 1, field: 'time' })]);
    await waitFor(
      async () => (await stored(-1, 3)).length === 3,
      'the three valid pushed readings stored',
      20_000,
      200,
    );
  });

  it('MQTT: a poison message goes to dlq.v1 with the reason, is acknowledged, and the next one is taken', async () => {
    const poison = JSON.stringify({ time: BEYOND_DATE, pm25: 16 });
    await mqttPublish(poison);
    await mqttPublish(JSON.stringify({ time: t(4), pm25: 17 }));
    const letter = await waitFor(() => lettersWith(poison)[0], 'the MQTT dead letter');
    expect(letter.origin).toBe(`ingest:mqtt:citystream/air/${GZ}/readings`);
    expect(letter.reason).toMatch(
      /^item 0 time: 9000000000000000 is outside the range a time-series store can hold/,
    );
    await waitFor(
      async () => (await stored(4, 5)).length === 1,
      'the MQTT reading after the poison stored',
      20_000,
      200,
    );
  });

  it('consumers: a stored reading InfluxDB cannot hold is dead-lettered by the sink and the partition moves on', async () => {
    // Valid for the schema (a 4-digit ISO year) but before 1677: no intake would take it, an old
    // producer or a replay could still put it on the topic.
    const ancient = (pm25: number, time: string) => ({
      key: GZ,
      event: makeEvent<AirReading>({
        type: EVENT_TYPES.airReading,
        source: 'test/air-poison',
        subject: GZ,
        id: `${GZ}/${time}`,
        data: { stationId: GZ, city: 'guangzhou', time, pm25 },
      }),
    });
    await observer.publish('air.readings.v1', [ancient(18, '1500-01-01T00:00:00Z'), ancient(19, t(5))]);
    const letter = await waitFor(
      () => letters.find((l) => l.origin === 'consumer:air-sink' && l.key === GZ),
      'the sink dead letter',
      20_000,
    );
    expect(letter.topic).toBe('air.readings.v1');
    expect(letter.reason).toMatch(
      /^refused by air-sink: time of air point: outside the range a time-series store can hold/,
    );
    const raw = JSON.parse(Buffer.from(letter.raw, 'base64').toString()) as { data: AirReading };
    expect(raw.data).toMatchObject({ time: '1500-01-01T00:00:00Z', pm25: 18 });
    await waitFor(async () => (await stored(5, 6)).length === 1, 'the reading behind it stored', 20_000, 200);
  });

  it('consumers: a write InfluxDB refuses (field type conflict) is dead-lettered with its reason; the rest is stored', async () => {
    // so2 of this series was written as an integer: InfluxDB refuses float so2 in this shard (422).
    const res = await fetch(
      `${influxConfig.url}/api/v2/write?org=${influxConfig.org}&bucket=${influxConfig.bucket}&precision=ms`,
      {
        method: 'POST',
        headers: { Authorization: `Token ${influxConfig.token}` },
        body: `air,city=guangzhou,stationId=${GZ} so2=1i ${now}`,
      },
    );
    expect(res.status).toBe(204);
    const refused = await push(
      '/v1/ingest/air',
      JSON.stringify([
        { stationId: GZ, time: t(6), so2: 20 },
        { stationId: GZ, time: t(7), pm25: 21 },
      ]),
      json,
    );
    expect(refused.status).toBe(202);
    const letter = await waitFor(
      () => letters.find((l) => l.origin === 'consumer:air-sink' && /HTTP 422/.test(l.reason)),
      'the dead letter of the refused write',
      20_000,
    );
    expect(letter.reason).toMatch(/field type conflict/);
    expect((JSON.parse(Buffer.from(letter.raw, 'base64').toString()) as { data: AirReading }).data.so2).toBe(
      20,
    );
    await waitFor(
      async () => (await stored(7, 8)).length === 1,
      'the other reading of the batch stored',
      20_000,
      200,
    );
  });

  it('restarts with poison queued in its MQTT session: starts, dead-letters it once, ingests the next reading', async () => {
    await hub!.stop();
    hub = undefined;
    // Queued by the broker for the hub's persistent session while it is away.
    const poison = JSON.stringify([{ time: BEYOND_DATE, pm25: 22 }]);
    await mqttPublish(poison);
    const t0 = Date.now();
    await startHub();
    expect(Date.now() - t0).toBeLessThan(30_000);
    await waitFor(() => lettersWith(poison).length === 1, 'the queued poison dead-lettered', 20_000);
    // The one that came before the restart was acknowledged: not re-delivered, not dead-lettered twice.
    expect(lettersWith(JSON.stringify({ time: BEYOND_DATE, pm25: 16 }))).toHaveLength(1);

    await mqttPublish(JSON.stringify({ time: t(8), pm25: 23 }));
    const ok = await push('/v1/ingest/air', JSON.stringify({ stationId: GZ, time: t(9), pm25: 24 }), json);
    expect(ok.status).toBe(202);
    await waitFor(
      async () => (await stored(8, 10)).map((r) => r.fields.pm25).join() === '23,24',
      'the readings after the restart stored',
      20_000,
      200,
    );
    expect(lettersWith(poison)).toHaveLength(1);
  });
});
