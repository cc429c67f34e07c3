import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../observability/metrics.ts';
import { silentLogger } from '../observability/logger.ts';
import { memoryIdempotencyStore } from './idempotency.ts';
import { Readiness } from './readiness.ts';
import { createHttpServer, type HttpServer } from './server.ts';

describe('Idempotency-Key hook', () => {
  let app: HttpServer;
  let runs = 0;
  let failNext = false;
  beforeAll(async () => {
    app = await createHttpServer({
      logger: silentLogger(),
      metrics: createMetrics(),
      readiness: new Readiness(),
      idempotency: memoryIdempotencyStore(),
    });
    app.post('/things', async (request, reply) => {
      runs++;
      if (failNext) {
        failNext = false;
        throw new Error('database went away');
      }
      return reply.code(201).send({ run: runs, body: request.body });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (key: string | undefined, body: unknown, auth = 'Bearer a') =>
    app.inject({
      method: 'POST',
      url: '/things',
      headers: {
        'content-type': 'application/json',
        authorization: auth,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });

  it('replays the first response to a retry with the same key and body', async () => {
    const first = await post('k1', { a: 1 });
    const again = await post('k1', { a: 1 });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });

  it('refuses the same key with another body (422), and keeps callers apart', async () => {
    const other = await post('k1', { a: 2 });
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    // Another caller's identical key is a different key.
    const bob = await post('k1', { a: 2 }, 'Bearer b');
    expect(bob.statusCode).toBe(201);
  });

  it('does not store a failure: the retry runs again', async () => {
    failNext = true;
    const before = runs;
    expect((await post('k2', { a: 3 })).statusCode).toBe(500);
    const retry = await post('k2', { a: 3 });
    expect(retry.statusCode).toBe(201);
    expect(runs).toBe(before + 2);
  });

  it('checks the key itself and leaves requests without one alone', async () => {
    expect((await post('has space', { a: 4 })).statusCode).toBe(400);
    const before = runs;
    await post(undefined, { a: 4 });
    await post(undefined, { a: 4 });
    expect(runs).toBe(before + 2);
  });
});
