// The push routes' edge cases that need no servers: the bus refusing (503 + Retry-After), gzip
// bombs and broken gzip, unsupported encodings, and the InfluxDB error shape for each.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../../core/bus/index.ts';
import { createTokenVerifier } from '../../core/auth/index.ts';
import { createGuards, createHttpServer, registerAuth, type HttpServer } from '../../core/http/index.ts';
import { Readiness } from '../../core/http/readiness.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { createMetrics } from '../../core/observability/metrics.ts';
import { createIntake } from './intake.ts';
import { BODY_LIMIT, registerAirPush } from './push-http.ts';
import type { StationCache } from '../../core/domain/stations.ts';

describe('air push routes without servers', () => {
  let app: HttpServer;
  let busDown = false;
  // Readings published to air.readings.v1.
  const published: unknown[] = [];

  beforeAll(async () => {
    app = await createHttpServer({
      logger: silentLogger(),
      metrics: createMetrics(),
      readiness: new Readiness(),
    });
    const bus = {
      publish: async (topic: string, records: unknown[]) => {
        if (busDown) throw new Error('broker not available');
        if (topic === 'air.readings.v1') published.push(...records);
      },
    } as unknown as Bus;
    const station = {
      id: 'GZ-1',
      name: 'x',
      city: 'guangzhou' as const,
      lat: 23.1,
      lon: 113.3,
      enabled: true,
    };
    const stations = {
      get: (id: string) => (id === 'GZ-1' ? station : undefined),
      ensure: async () => undefined,
    } as unknown as StationCache;
    const intake = createIntake(bus, stations, {
      sources: [],
      maxFutureMs: 300_000,
      maxAgeMs: 86_400_000,
      demoIntervalSeconds: 5,
    });
    const keys = [{ name: 'acme', key: 'acme-key' }];
    // As in the hub: the shared auth check signs the integrator in before the push routes run.
    registerAuth(app, createGuards(createTokenVerifier({ kind: 'none', apiKeys: keys }), keys));
    await registerAirPush(app, intake, { maxItems: 100 });
    await app.ready();
  });
  afterAll(() => app.close());

  const reading = () => JSON.stringify({ stationId: 'GZ-1', time: new Date().toISOString(), pm25: 3 });
  const influx = { authorization: 'Token acme-key' };
  const json = { 'x-api-key': 'acme-key', 'content-type': 'application/json' };

  it('answers 503 with Retry-After when the bus does not take the readings, on both routes', async () => {
    busDown = true;
    try {
      const push = await app.inject({
        method: 'POST',
        url: '/v1/ingest/air',
        headers: json,
        payload: reading(),
      });
      expect(push.statusCode).toBe(503);
      expect(push.headers['retry-after']).toBe('5');
      expect(push.json()).toMatchObject({ accepted: 0 });

      const write = await app.inject({
        method: 'POST',
        url: '/api/v2/write',
        headers: influx,
        payload: 'air,stationId=GZ-1 pm25=3',
      });
      expect(write.statusCode).toBe(503);
      expect(write.headers['retry-after']).toBe('5');
      expect(write.headers['content-type']).toMatch(/^application\/json/);
      expect(write.json()).toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/retry later/) as unknown,
        accepted: 0,
      });
    } finally {
      busDown = false;
    }
  });

  it('stops inflating a gzip bomb at the body limit (413) and refuses broken gzip (400)', async () => {
    const bomb = gzipSync(Buffer.alloc(BODY_LIMIT + 1024, 0x20));
    expect(bomb.length).toBeLessThan(BODY_LIMIT / 100);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/write',
      headers: { ...influx, 'content-encoding': 'gzip' },
      payload: bomb,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'request too large', limit: BODY_LIMIT });
    expect(res.json<{ message: string }>().message).toMatch(/after decompression/);

    const broken = await app.inject({
      method: 'POST',
      url: '/v1/ingest/air',
      headers: { ...json, 'content-encoding': 'gzip' },
      payload: 'not gzip at all',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(broken.json<{ detail: string }>().detail).toMatch(/not valid gzip/);
  });

  it('refuses other encodings with 415 before reading, and keeps problem+json when asked for', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/write',
      headers: { ...influx, 'content-encoding': 'br', accept: 'application/problem+json' },
      payload: 'air,stationId=GZ-1 pm25=3',
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 415, code: 'unsupported media type' });
  });

  it('accepts valid items next to refused ones (400 lists them), and nothing with atomic=true', async () => {
    const before = published.length;
    const body = `${reading()}\n{"stationId":"GZ-1","time":0,"pm25":"x"}\n`;
    const mixed = await app.inject({
      method: 'POST',
      url: '/v1/ingest/air',
      headers: { ...json, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json()).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, line: 2 }] });
    expect(published.length).toBe(before + 1);

    const atomic = await app.inject({
      method: 'POST',
      url: '/v1/ingest/air?atomic=true',
      headers: { ...json, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(atomic.json()).toMatchObject({ accepted: 0, rejected: 1 });
    expect(published.length).toBe(before + 1);
  });
});
