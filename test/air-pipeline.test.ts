// Air quality end to end on the real servers: integrator pushes (JSON, NDJSON, line protocol with
// gzip, MQTT) → Kafka air.readings.v1 → sink → InfluxDB, each reading's AQI on the gateway's
// aqi:city channel (derived from the reading there), and the read API over what was stored. Malformed pushes get precise 400 replies and lose nothing valid.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import type { Consumer } from '../core/bus/index.ts';
import { loadConfig } from '../core/config/index.ts';
import type { AirAqi, DeadLetter } from '../core/events/index.ts';

interface LiveFrame {
  channel: string;
  topic: string;
  pos: string;
  event: { id: string; type: string; subject?: string; data: AirAqi };
}
import { silentLogger } from '../core/observability/logger.ts';
import { Hub } from '../app/hub.ts';
import { InfluxTimeSeries } from '../core/timeseries/influx.ts';
import { createTestBucket } from './support/timeseries.ts';
import { deleteTestTopics, testTopicPrefix } from './support/kafka.ts';
import { createTestDatabase } from './support/postgres.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const influx = await serviceAvailable('influxdb');
const postgres = await serviceAvailable('postgres');
const mqttServer = await serviceAvailable('mqtt');
const ready = kafka && influx && postgres && mqttServer;

describe.runIf(ready)('air pipeline on real Kafka, InfluxDB, PostgreSQL and Mosquitto', () => {
  const prefix = testTopicPrefix('air');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const GZ = `GZ-${run}-1`;
  const FS = `FS-${run}-2`;
  const secret = 'air-pipeline-test-secret-0123456789abcdef';
  let hub: Hub;
  let url: string;
  let store: InfluxTimeSeries;
  let cleanup: (() => Promise<void>)[] = [];
  let dlqConsumer: Consumer | undefined;
  const letters: DeadLetter[] = [];
  /** The long-poll cursor of aqi:city:guangzhou before anything was pushed. */
  let aqiCursor = '';
  // On a 10 s boundary, so 5 s windows from t(0) are aligned the way the store aligns them.
  const now = Math.floor(Date.now() / 10_000) * 10_000 - 60_000;
  const t = (s: number) => new Date(now + s * 1000).toISOString();

  beforeAll(async () => {
    const base = loadConfig(process.env);
    const bucket = await createTestBucket(base.influx!);
    const database = await createTestDatabase(postgres!.value!);
    cleanup = [bucket.drop, database.drop];
    const config = loadConfig({
      ...process.env,
      KAFKA_TOPIC_PREFIX: prefix,
      INFLUX_BUCKET: bucket.config.bucket,
      DATABASE_URL: database.url,
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_HTTP_PORT: '0',
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_ROLES: 'ingest,api,stream',
      CITYSTREAM_API_KEYS: 'acme:acme-key',
      CITYSTREAM_JWT_SECRET: secret,
      CITYSTREAM_INSTANCE_ID: `air-test-${run}`,
    });
    hub = await Hub.start(config, { logger: silentLogger() });
    url = `http://127.0.0.1:${hub.port}`;
    store = new InfluxTimeSeries(bucket.config);
    dlqConsumer = await hub.ctx.bus.consume({
      mode: 'broadcast',
      groupId: 'air-test-dlq',
      topics: ['dlq.v1'],
      start: 'earliest',
      handler: async (batch) => {
        for (const d of batch.deliveries) letters.push(d.event!.data);
      },
    });
    const poll = await fetch(`${url}/v1/events?channels=aqi:city:guangzhou&wait=0`);
    aqiCursor = ((await poll.json()) as { cursor: string }).cursor;
  }, 60_000);

  afterAll(async () => {
    await dlqConsumer?.stop();
    await store?.close();
    await hub?.stop();
    for (const c of cleanup) await c().catch(() => undefined);
    await deleteTestTopics([kafka!.value!], prefix);
  }, 60_000);

  const push = (path: string, body: string | Blob, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', body, headers });

  it('registers stations (staff only) with city and coordinates', async () => {
    const staff = await mintToken(secret, { sub: 'ops', role: 'staff' });
    const citizen = await mintToken(secret, { sub: 'u1', role: 'citizen' });
    const body = (id: string, city: string, lat: number, lon: number) =>
      JSON.stringify({ id, name: `Test ${id}`, city, lat, lon });
    const denied = await push('/v1/air/stations', body(GZ, 'guangzhou', 23.13, 113.26), {
      'content-type': 'application/json',
      authorization: `Bearer ${citizen}`,
    });
    expect(denied.status).toBe(403);
    for (const [id, city, lat, lon] of [
      [GZ, 'guangzhou', 23.13, 113.26],
      [FS, 'foshan', 23.02, 113.12],
    ] as const) {
      const res = await push('/v1/air/stations', body(id, city, lat, lon), {
        'content-type': 'application/json',
        authorization: `Bearer ${staff}`,
      });
      expect(res.status).toBe(201);
    }
    const again = await push('/v1/air/stations', body(GZ, 'guangzhou', 23.13, 113.26), {
      'content-type': 'application/json',
      authorization: `Bearer ${staff}`,
    });
    expect(again.status).toBe(409);
    const list = (await (await fetch(`${url}/v1/air/stations?city=foshan`)).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((s) => s.id)).toContain(FS);
  });

  it('answers malformed pushes with precise 400s and keeps every valid reading', async () => {
    const json = { 'content-type': 'application/json', 'x-api-key': 'acme-key' };
    expect((await push('/v1/ingest/air', '[]', { 'content-type': 'application/json' })).status).toBe(401);

    const bad = await push('/v1/ingest/air', '{"stationId": ', json);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/not valid JSON/);

    const mixed = await push(
      '/v1/ingest/air',
      JSON.stringify([
        { stationId: GZ, time: t(0), pm25: 80, pm10: 120, no2: 150 },
        { stationId: GZ, time: t(1), pm25: 'high' },
        { stationId: 'NO-SUCH-STATION', time: t(1), pm25: 10 },
        { stationId: FS, time: t(1), pm25: 5000 },
        { stationId: FS, time: t(2), no2: 40, units: { no2: 'ppb' } },
      ]),
      json,
    );
    expect(mixed.status).toBe(400);
    expect(mixed.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await mixed.json()) as {
      accepted: number;
      errors: { index: number; field: string; reason: string }[];
    };
    expect(problem.accepted).toBe(2);
    expect(problem.errors).toEqual([
      expect.objectContaining({ index: 1, field: 'pm25', reason: 'expected a number' }),
      expect.objectContaining({ index: 2, field: 'stationId', reason: 'unknown station NO-SUCH-STATION' }),
      expect.objectContaining({
        index: 3,
        field: 'pm25',
        reason: '5000 is outside the plausible range 0..1000',
      }),
    ]);

    // All-or-nothing on request: one bad NDJSON line and nothing is taken.
    const atomic = await push(
      '/v1/ingest/air?atomic=true',
      `${JSON.stringify({ stationId: GZ, time: t(3), pm25: 1 })}\n{oops\n`,
      { ...json, 'content-type': 'application/x-ndjson' },
    );
    expect(atomic.status).toBe(400);
    expect(await atomic.json()).toMatchObject({ accepted: 0, errors: [{ index: 1, field: '' }] });

    const ndjson = await push(
      '/v1/ingest/air',
      [
        { stationId: GZ, time: t(4), pm25: 30 },
        { stationId: FS, time: t(4), pm25: 20, co: 0.8 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
      { ...json, 'content-type': 'application/x-ndjson' },
    );
    expect(ndjson.status).toBe(202);
    expect(await ndjson.json()).toEqual({ accepted: 2 });
  });

  it('takes InfluxDB line protocol with precision and gzip, refusing a bad line by number', async () => {
    const lp = [
      `air,stationId=${GZ} pm25=40,o3=90 ${(now + 5_000) * 1_000_000}`,
      `air,stationId=${GZ} pm25=oops ${(now + 6_000) * 1_000_000}`,
      `air,station=${FS} pm2_5=25,temp=21.5,rh=60 ${(now + 5_000) * 1_000_000}`,
    ].join('\n');
    const res = await push('/api/v2/write?org=city&bucket=air', new Blob([new Uint8Array(gzipSync(lp))]), {
      authorization: 'Token acme-key',
      'content-encoding': 'gzip',
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { accepted: number; code: string; message: string };
    expect(problem).toMatchObject({ accepted: 2, code: 'invalid' });
    expect(problem.message).toMatch(/line 2: field pm25: "oops" is not a valid field value/);

    const ok = await push('/api/v2/write?precision=s', `air,stationId=${FS} pm10=33 ${now / 1000 + 6}`, {
      authorization: 'Token acme-key',
    });
    expect(ok.status).toBe(204);
  });

  it('takes MQTT pushes on citystream/air/{stationId}/readings; refused ones go to dlq.v1', async () => {
    const client = await mqtt.connectAsync(mqttServer!.value!);
    try {
      await client.publishAsync(`citystream/air/${FS}/readings`, JSON.stringify({ time: t(7), pm25: -3 }), {
        qos: 1,
      });
      await client.publishAsync(
        `citystream/air/${GZ}/readings`,
        JSON.stringify({ time: t(7), pm25: 55, so2: 10 }),
        { qos: 1 },
      );
    } finally {
      await client.endAsync();
    }
    const letter = await waitFor(
      () => letters.find((l) => l.origin === `ingest:mqtt:citystream/air/${FS}/readings`),
      'dead letter of the refused MQTT reading',
    );
    expect(letter.reason).toBe('item 0 pm25: -3 is outside the plausible range 0..1000');
  });

  it('stores every accepted reading once in InfluxDB and serves it through the read API', async () => {
    // Accepted: JSON 2, NDJSON 2, line protocol 2 + 1, MQTT 1 → GZ 4 points, FS 4 points.
    const count = async (id: string) =>
      (
        await store.range({
          measurement: 'air',
          tags: { stationId: id },
          from: new Date(now - 1_000),
          to: new Date(now + 60_000),
        })
      ).length;
    await waitFor(
      async () => (await count(GZ)) === 4 && (await count(FS)) === 4,
      'readings stored in InfluxDB',
      20_000,
      200,
    );

    const [fs2] = await store.range({
      measurement: 'air',
      tags: { stationId: FS },
      from: new Date(now + 2_000),
      to: new Date(now + 3_000),
    });
    expect(fs2!.fields.no2).toBeCloseTo((40 * 46.01) / 24.45, 2); // 40 ppb → 75.27 µg/m³
    expect(fs2!.tags).toEqual({ stationId: FS, city: 'foshan' });

    const latest = (await (await fetch(`${url}/v1/air/stations/${GZ}/latest`)).json()) as {
      reading: Record<string, unknown>;
      aqi: AirAqi;
    };
    expect(latest.reading).toMatchObject({ stationId: GZ, city: 'guangzhou', time: t(7), pm25: 55, so2: 10 });

    const history = (await (
      await fetch(`${url}/v1/air/stations/${GZ}/history?from=${t(-1)}&to=${t(30)}&fields=pm25`)
    ).json()) as { points: { time: string; pm25: number }[] };
    expect(history.points).toEqual([
      { time: t(0), pm25: 80 },
      { time: t(4), pm25: 30 },
      { time: t(5), pm25: 40 },
      { time: t(7), pm25: 55 },
    ]);
    const windows = (await (
      await fetch(`${url}/v1/air/stations/${GZ}/history?from=${t(0)}&to=${t(8)}&every=5s&fn=max&fields=pm25`)
    ).json()) as { points: { pm25: number }[] };
    expect(windows.points.map((p) => p.pm25)).toEqual([80, 55]);

    const badQuery = await fetch(`${url}/v1/air/stations/${GZ}/history?from=${t(0)}&fields=pm25,nope`);
    expect(badQuery.status).toBe(400);
  });

  it("gives live subscribers each reading's AQI (both indices) and serves the city AQI", async () => {
    // From where the channel stood before the first push: every Guangzhou reading with a pollutant.
    const frames: LiveFrame[] = [];
    let cursor = aqiCursor;
    await waitFor(
      async () => {
        const r = await fetch(
          `${url}/v1/events?channels=aqi:city:guangzhou&wait=0&since=${encodeURIComponent(cursor)}`,
        );
        const body = (await r.json()) as { events: LiveFrame[]; cursor: string; recovered: boolean };
        expect(body.recovered).toBe(true);
        frames.push(...body.events);
        cursor = body.cursor;
        return frames.some((f) => f.event.data.stationId === GZ && f.event.data.time === t(7));
      },
      'AQI events on aqi:city:guangzhou',
      20_000,
      100,
    );
    const first = frames.find((f) => f.event.data.stationId === GZ && f.event.data.time === t(0))!;
    expect(first).toMatchObject({
      channel: 'aqi:city:guangzhou',
      topic: 'air.readings.v1',
      event: {
        type: 'city.air.aqi.v1',
        id: `aqi/${GZ}/${t(0)}`,
        subject: GZ,
        data: {
          city: 'guangzhou',
          cn: { aqi: 107, level: 3, primaryPollutants: ['pm25'] },
          us: { primaryPollutant: 'pm25' },
        },
      },
    });
    // Only Guangzhou's, each accepted reading's AQI once, in the order of its partition.
    expect(frames.every((f) => f.event.data.city === 'guangzhou')).toBe(true);
    expect(frames.filter((f) => f.event.data.stationId === GZ).map((f) => f.event.data.time)).toEqual([
      t(0),
      t(4),
      t(5),
      t(7),
    ]);
    const city = (await (await fetch(`${url}/v1/air/aqi?city=guangzhou`)).json()) as { items: AirAqi[] };
    // From each pollutant's latest value: pm25 55 (t7) → 75, pm10 120 (t0) → 85, no2 150 → 75.
    expect(city.items.find((a) => a.stationId === GZ)).toMatchObject({
      time: t(7),
      cn: { aqi: 85, primaryPollutants: ['pm10'], iaqi: { pm25: 75, pm10: 85, no2: 75 } },
    });
    expect((await fetch(`${url}/v1/air/aqi?city=atlantis`)).status).toBe(400);
  });
});
