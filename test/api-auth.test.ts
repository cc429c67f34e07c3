// Every API route authenticates before its body is read: a caller without the right credentials
// is refused with 401/403 whatever the body is (too large, malformed JSON, broken multipart,
// gzip garbage), so an unauthenticated upload is never buffered, inflated or parsed. And the hub
// refuses to start an API route that does not declare who may call it.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuards, createHttpServer, registerAuth } from '../core/http/index.ts';
import { createTokenVerifier } from '../core/auth/index.ts';
import { DEV_JWT_SECRET } from '../core/config/index.ts';
import { createMetrics, silentLogger } from '../core/observability/index.ts';
import { Readiness } from '../core/http/index.ts';
import type { FastifyInstance } from 'fastify';
import { anyBackend, startApi, type ApiHarness } from './support/api.ts';

const backend = await anyBackend();

describe('authentication before the body', () => {
  let api: ApiHarness;
  let alice: string;

  beforeAll(async () => {
    api = await startApi(backend, { CITYSTREAM_ROLES: 'api,ingest', CITYSTREAM_API_KEYS: 'acme:acme-key' });
    alice = await api.token('alice');
  });
  afterAll(() => api?.stop());

  const send = (path: string, method: string, headers: Record<string, string>, body: string | Buffer) =>
    fetch(api.url + path, { method, headers, body: typeof body === 'string' ? body : new Uint8Array(body) });

  it('refuses an unauthenticated body larger than the limit with 401, not 413', async () => {
    const big = `{"kind":"ticket","targetId":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const r = await send('/v1/payments', 'POST', { 'content-type': 'application/json' }, big);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses malformed JSON from a caller without the right credentials with 401/403, not 400', async () => {
    const broken = '{"slotId": "slot1", "patient": {';
    const json = { 'content-type': 'application/json' };
    expect((await send('/v1/appointments', 'POST', json, broken)).status).toBe(401);
    const badToken = { ...json, authorization: 'Bearer not-a-token' };
    expect((await send('/v1/transport/tickets', 'POST', badToken, broken)).status).toBe(401);
    // A citizen is not staff: 403 before the body is looked at.
    const citizen = { ...json, authorization: `Bearer ${alice}` };
    expect((await send('/v1/incidents/inc_1', 'PATCH', citizen, broken)).status).toBe(403);
    expect((await send('/v1/air/stations', 'POST', citizen, broken)).status).toBe(403);
    expect((await send('/v1/payments/pay_1/refund', 'POST', citizen, broken)).status).toBe(403);
  });

  it('refuses an invalid token on a multipart report before reading the parts', async () => {
    const r = await send(
      '/v1/incidents',
      'POST',
      { 'content-type': 'multipart/form-data; boundary=b', authorization: 'Bearer forged' },
      '--b\r\nContent-Disposition: form-data; name="category"\r\n\r\npothole',
    );
    expect(r.status).toBe(401);
  });

  it('refuses integrator pushes without a known key before inflating or parsing them', async () => {
    const garbageGzip = Buffer.concat([gzipSync('x'.repeat(1000)).subarray(0, 20), Buffer.alloc(4096, 7)]);
    for (const path of ['/api/v2/write', '/v1/ingest/air']) {
      const gz = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
      expect((await send(path, 'POST', gz, garbageGzip)).status, path).toBe(401);
      const wrongKey = { ...gz, authorization: 'Token wrong-key' };
      expect((await send(path, 'POST', wrongKey, garbageGzip)).status, path).toBe(401);
      const unknownEncoding = { 'content-type': 'text/plain', 'content-encoding': 'br' };
      expect((await send(path, 'POST', unknownEncoding, 'x')).status, path).toBe(401);
    }
    // With the key the same garbage is the integrator's bad body: a 4xx naming it, not a 401.
    const keyed = await send(
      '/api/v2/write',
      'POST',
      { 'content-type': 'text/plain', 'content-encoding': 'gzip', authorization: 'Token acme-key' },
      garbageGzip,
    );
    expect(keyed.status).toBeGreaterThanOrEqual(400);
    expect(keyed.status).not.toBe(401);
    expect(keyed.status).toBeLessThan(500);
  });

  it('still serves public routes to anonymous callers and reads a token when one is sent', async () => {
    expect((await api.call('GET', '/v1/incidents/categories')).status).toBe(200);
    expect((await api.call('GET', '/v1/hospitals')).status).toBe(200);
    expect((await api.call('GET', '/v1/hospitals', { token: 'forged' })).status).toBe(401);
    expect((await api.call('GET', '/v1/payments', { token: alice })).status).toBe(200);
  });
});

describe('route declarations', () => {
  it('refuses to register an API route that does not declare config.auth', async () => {
    const app = (await createHttpServer({
      logger: silentLogger(),
      metrics: createMetrics(),
      readiness: new Readiness(),
    })) as unknown as FastifyInstance;
    const verifier = createTokenVerifier({
      kind: 'hs256',
      secret: DEV_JWT_SECRET,
      isDevSecret: true,
      apiKeys: [],
    });
    registerAuth(app, createGuards(verifier, []));
    expect(() => app.get('/v1/undeclared', () => 'x')).toThrow(/must declare config.auth/);
    expect(() => app.get('/v1/declared', { config: { auth: 'public' } }, () => 'x')).not.toThrow();
    expect(() => app.get('/healthz2', () => 'x')).not.toThrow();
    await app.close();
  });
});
