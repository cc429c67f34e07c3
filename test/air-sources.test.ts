// Pull sources against a local HTTP server serving realistic responses of each feed format:
// OpenAQ v3, Sensor.Community, PurpleAir and a generic field mapping. Conditional requests,
// timeouts, retry with backoff, de-duplication and dead-lettering of refused items.
import { MIGRATION_DIRS } from '../app/migrations.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../core/bus/embedded.ts';
import { airSourceSchema, type AirSource } from '../core/config/sections/air.ts';
import { migrate, readMigrations } from '../core/db/migrate.ts';
import { PgliteDb } from '../core/db/pglite.ts';
import type { AirReading, DeadLetter } from '../core/events/index.ts';
import { silentLogger } from '../core/observability/logger.ts';
import { createBusMetrics } from '../core/observability/metrics.ts';
import { airStationsSeeder } from '../modules/air/demo-stations.ts';
import { createIntake } from '../modules/air/intake.ts';
import { Poller } from '../modules/air/sources/poller.ts';
import { StationCache } from '../core/domain/stations.ts';
import { waitFor } from './support/wait.ts';

const minute = (m: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - m * 60_000);
const T1 = minute(10);
const T2 = minute(5);
const scTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' '); // "2026-11-24 08:00:00"

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const routes: Record<string, Route> = {
  // OpenAQ v3: the location (with its sensors) and its latest measurements. API key required.
  '/v3/locations/2178': (req, res) => {
    if (req.headers['x-api-key'] !== 'openaq-key')
      return void res.writeHead(401).end('{"detail":"Unauthorized"}');
    json(res, {
      meta: { name: 'openaq-api', website: '/', page: 1, limit: 100, found: 1 },
      results: [
        {
          id: 2178,
          name: 'Guangya Middle School',
          locality: 'Guangzhou',
          timezone: 'Asia/Shanghai',
          country: { id: 10, code: 'CN', name: 'China' },
          coordinates: { latitude: 23.1414, longitude: 113.2597 },
          sensors: [
            {
              id: 3917,
              name: 'pm25 µg/m³',
              parameter: { id: 2, name: 'pm25', units: 'µg/m³', displayName: 'PM2.5' },
            },
            {
              id: 3918,
              name: 'no2 ppm',
              parameter: { id: 7, name: 'no2', units: 'ppm', displayName: 'NO₂' },
            },
            { id: 3919, name: 'co ppm', parameter: { id: 8, name: 'co', units: 'ppm', displayName: 'CO' } },
            {
              id: 3920,
              name: 'bc µg/m³',
              parameter: { id: 11, name: 'bc', units: 'µg/m³', displayName: 'BC' },
            },
          ],
        },
      ],
    });
  },
  '/v3/locations/2178/latest': (req, res) => {
    if (req.headers['x-api-key'] !== 'openaq-key') return void res.writeHead(401).end();
    const at = { utc: T1.toISOString(), local: T1.toISOString().replace('Z', '+08:00') };
    const coordinates = { latitude: 23.1414, longitude: 113.2597 };
    json(res, {
      meta: { name: 'openaq-api', website: '/', page: 1, limit: 100, found: 4 },
      results: [
        { datetime: at, value: 35.2, coordinates, sensorsId: 3917, locationsId: 2178 },
        { datetime: at, value: 0.0213, coordinates, sensorsId: 3918, locationsId: 2178 },
        { datetime: at, value: 0.61, coordinates, sensorsId: 3919, locationsId: 2178 },
        { datetime: at, value: 1.1, coordinates, sensorsId: 3920, locationsId: 2178 },
      ],
    });
  },
  // Sensor.Community: SDS011 (P1 = PM10, P2 = PM2.5) and a DHT22 at the same location; one item
  // from a location we do not map.
  '/airrohr/v1/filter/area=22.5,114.0,20': (_req, res) =>
    json(res, [
      {
        id: 28469111,
        sampling_rate: null,
        timestamp: scTime(T1),
        location: {
          id: 54321,
          latitude: '22.562',
          longitude: '114.117',
          altitude: '12.0',
          country: 'CN',
          exact_location: 0,
          indoor: 0,
        },
        sensor: {
          id: 71001,
          pin: '1',
          sensor_type: { id: 14, name: 'SDS011', manufacturer: 'Nova Fitness' },
        },
        sensordatavalues: [
          { id: 61849231, value: '48.30', value_type: 'P1' },
          { id: 61849232, value: '21.70', value_type: 'P2' },
        ],
      },
      {
        id: 28469112,
        timestamp: scTime(T1),
        location: { id: 99999, latitude: '48.1', longitude: '11.5', country: 'DE' },
        sensor: { id: 1, sensor_type: { id: 14, name: 'SDS011' } },
        sensordatavalues: [{ value: '5.0', value_type: 'P2' }],
      },
    ]),
  // PurpleAir API v1: temperature in °F; one sensor reports an impossible PM2.5.
  '/v1/sensors': (_req, res) =>
    json(res, {
      api_version: 'V1.0.11-0.0.49',
      time_stamp: Math.floor(Date.now() / 1000),
      data_time_stamp: Math.floor(Date.now() / 1000),
      max_age: 604800,
      firmware_default_version: '7.02',
      fields: ['sensor_index', 'last_seen', 'humidity', 'temperature', 'pm2.5_atm', 'pm10.0_atm'],
      data: [
        [131075, T2.getTime() / 1000, 58, 75, 12.4, 18.9],
        [131079, T2.getTime() / 1000, 61, 77, 6000, 20.1],
      ],
    }),
};

// A generic JSON feed with ETag and Last-Modified; serves 304 when the client already has it.
let mappingEtag = '"v1"';
routes['/city/feed'] = (req, res) => {
  if (req.headers['if-none-match'] === mappingEtag)
    return void res.writeHead(304, { etag: mappingEtag }).end();
  json(
    res,
    {
      data: {
        rows: [
          {
            site: { code: 'fs-guicheng' },
            ts: Math.floor(T2.getTime() / 1000),
            aq: { pm2_5: 41, so2_ppb: 3 },
          },
        ],
      },
    },
    { etag: mappingEtag, 'last-modified': T2.toUTCString() },
  );
};
// Fails twice, then answers: the poller must back off and recover on its own.
let flakyCalls = 0;
routes['/flaky'] = (_req, res) => {
  if (++flakyCalls <= 2) return void res.writeHead(503).end('busy');
  json(res, [
    {
      timestamp: scTime(T2),
      location: { id: 777 },
      sensor: { id: 7 },
      sensordatavalues: [{ value: '9.5', value_type: 'P2' }],
    },
  ]);
};
routes['/slow'] = () => undefined; // never answers

describe('air pull sources', () => {
  let server: Server;
  let base: string;
  let db: PgliteDb;
  let bus: EmbeddedBus;
  const readings: AirReading[] = [];
  const letters: DeadLetter[] = [];
  let poller: (s: Partial<AirSource> & Pick<AirSource, 'name' | 'format' | 'url'>) => Poller;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes[req.url!.split('?')[0]!];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    db = await PgliteDb.open();
    await migrate(db, readMigrations(MIGRATION_DIRS));
    await airStationsSeeder.run(db);
    const stations = new StationCache(db);
    await stations.load();
    bus = new EmbeddedBus({
      logger: silentLogger(),
      metrics: createBusMetrics(new Registry()),
      retentionRecords: 10_000,
    });
    await bus.start();
    await bus.consume({
      groupId: 'test-readings',
      topics: ['air.readings.v1', 'dlq.v1'],
      handler: async (batch) => {
        for (const d of batch.deliveries) {
          if (batch.topic.endsWith('dlq.v1')) letters.push(d.event!.data as DeadLetter);
          else readings.push(d.event!.data as AirReading);
        }
      },
    });
    const intake = createIntake(bus, stations, {
      sources: [],
      maxFutureMs: 300_000,
      maxAgeMs: 7 * 86_400_000,
      demoIntervalSeconds: 5,
    });
    poller = (s) =>
      new Poller(airSourceSchema.parse({ intervalSeconds: 60, ...s }), intake, bus, silentLogger());
  });

  afterAll(async () => {
    await bus?.close();
    await db?.close();
    await new Promise((r) => server?.close(r));
  });

  const of = (stationId: string) =>
    waitFor(
      () => {
        const found = readings.filter((r) => r.stationId === stationId);
        return found.length > 0 ? found : null;
      },
      `readings of ${stationId}`,
      5_000,
    );

  it('OpenAQ v3: maps sensors to parameters and converts ppm to µg/m³ (CO to mg/m³)', async () => {
    const p = poller({
      name: 'openaq',
      format: 'openaq',
      url: `${base}/v3/locations/2178/latest`,
      headers: { 'X-API-Key': 'openaq-key' },
      stations: { '2178': 'GZ-0001' },
    });
    expect(await p.pollOnce()).toMatchObject({ status: 'new', accepted: 1 });
    const [r] = await of('GZ-0001');
    expect(r).toMatchObject({ city: 'guangzhou', time: T1.toISOString(), pm25: 35.2, origin: 'pull:openaq' });
    expect(r!.no2).toBeCloseTo((21.3 * 46.01) / 24.45, 2); // 0.0213 ppm = 21.3 ppb → 40.08 µg/m³
    expect(r!.co).toBeCloseTo((0.61 * 28.01) / 24.45, 2); // mg/m³
    // Same measurements again: de-duplicated by (station, time).
    expect(await p.pollOnce()).toMatchObject({ status: 'new', accepted: 0, duplicates: 1 });
  });

  it('Sensor.Community: P1/P2 as PM10/PM2.5 at mapped locations, zone-less UTC times', async () => {
    const p = poller({
      name: 'sc',
      format: 'sensor.community',
      url: `${base}/airrohr/v1/filter/area=22.5,114.0,20`,
      stations: { '54321': 'SZ-0001' },
    });
    expect(await p.pollOnce()).toMatchObject({ accepted: 1 });
    const [r] = await of('SZ-0001');
    expect(r).toMatchObject({ time: T1.toISOString(), pm10: 48.3, pm25: 21.7, city: 'shenzhen' });
  });

  it('PurpleAir: columns by name, °F to °C, an impossible value dead-lettered with the reason', async () => {
    const p = poller({
      name: 'purpleair',
      format: 'purpleair',
      url: `${base}/v1/sensors`,
      stations: { '131075': 'FS-0001', '131079': 'FS-0002' },
    });
    expect(await p.pollOnce()).toMatchObject({ accepted: 1, rejected: 1 });
    const [r] = await of('FS-0001');
    expect(r).toMatchObject({
      time: T2.toISOString(),
      pm25: 12.4,
      pm10: 18.9,
      temperature: 23.9,
      humidity: 58,
    });
    const letter = await waitFor(
      () => letters.find((l) => l.origin === 'ingest:pull:purpleair'),
      'dead letter',
    );
    expect(letter.reason).toMatch(/pm25: 6000 is outside the plausible range/);
    expect(JSON.parse(Buffer.from(letter.raw, 'base64').toString())).toMatchObject({
      stationId: 'FS-0002',
      pm25: 6000,
    });
  });

  it('generic mapping with units; a second poll is a conditional request answered 304', async () => {
    const p = poller({
      name: 'city',
      format: 'mapping',
      url: `${base}/city/feed`,
      stations: { 'fs-guicheng': 'FS-0003' },
      mapping: {
        items: 'data.rows',
        stationId: 'site.code',
        time: 'ts',
        timeFormat: 'epoch-s',
        fields: { pm25: 'aq.pm2_5', so2: 'aq.so2_ppb' },
        units: { so2: 'ppb' },
      },
    });
    expect(await p.pollOnce()).toMatchObject({ status: 'new', accepted: 1 });
    const [r] = await of('FS-0003');
    expect(r).toMatchObject({ time: T2.toISOString(), pm25: 41 });
    expect(r!.so2).toBeCloseTo((3 * 64.07) / 24.45, 2);
    expect(await p.pollOnce()).toMatchObject({ status: 'not-modified' });
    mappingEtag = '"v2"';
    expect(await p.pollOnce()).toMatchObject({ status: 'new', accepted: 0, duplicates: 1 });
  });

  it('gives up on a request after its timeout, and backs off and recovers from failures', async () => {
    const slow = poller({
      name: 'slow',
      format: 'sensor.community',
      url: `${base}/slow`,
      timeoutSeconds: 0.3,
    });
    const t0 = Date.now();
    await expect(slow.pollOnce()).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - t0).toBeLessThan(2_000);

    const flaky = poller({
      name: 'flaky',
      format: 'sensor.community',
      url: `${base}/flaky`,
      stations: { '777': 'SZ-0002' },
      intervalSeconds: 60,
    });
    flaky.start();
    try {
      const [r] = await waitFor(async () => of('SZ-0002'), 'recovery after two failures', 10_000);
      expect(r).toMatchObject({ pm25: 9.5 });
      expect(flakyCalls).toBe(3);
    } finally {
      await flaky.stop();
    }
  });
});
