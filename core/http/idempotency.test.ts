import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTokenVerifier, mintToken } from '../auth/index.ts';
import { migrate, readMigrations } from '../db/index.ts';
import { PgliteDb } from '../db/pglite.ts';
import { createMetrics } from '../observability/metrics.ts';
import { silentLogger } from '../observability/logger.ts';
import { createGuards, registerAuth } from './auth.ts';
import {
  dbIdempotencyStore,
  memoryIdempotencyStore,
  requestDb,
  type IdempotencyStore,
} from './idempotency.ts';
import { conflict } from './problem.ts';
import { Readiness } from './readiness.ts';
import { createHttpServer, type HttpServer } from './server.ts';

const SECRET = 'idempotency-test-secret-0123456789abcdef';

async function server(store: IdempotencyStore): Promise<HttpServer> {
  const app = await createHttpServer({
    logger: silentLogger(),
    metrics: createMetrics(),
    readiness: new Readiness(),
    idempotency: store,
  });
  registerAuth(
    app,
    createGuards(createTokenVerifier({ kind: 'hs256', secret: SECRET, isDevSecret: false, apiKeys: [] }), []),
  );
  return app;
}

/** Two different token strings for one user, as before and after a refresh. */
async function tokensOf(sub: string): Promise<[string, string]> {
  const a = await mintToken(SECRET, { sub, role: 'citizen' }, 3600);
  const b = await mintToken(SECRET, { sub, role: 'citizen' }, 7200);
  expect(a).not.toBe(b);
  return [a, b];
}

describe('Idempotency-Key hook (reservation, memory store)', () => {
  let app: HttpServer;
  let runs = 0;
  let failNext = false;
  let alice: [string, string];
  let bob: string;
  beforeAll(async () => {
    app = await server(memoryIdempotencyStore());
    app.post(
      '/v1/things',
      { schema: { body: z.object({ a: z.number() }) }, config: { auth: 'user' } },
      async (request, reply) => {
        runs++;
        if (failNext) {
          failNext = false;
          throw new Error('database went away');
        }
        if (request.body.a === 409) throw conflict(`run ${runs}: no room`);
        return reply.code(201).send({ run: runs, body: request.body });
      },
    );
    await app.ready();
    alice = await tokensOf('alice');
    [bob] = await tokensOf('bob');
  });
  afterAll(() => app.close());

  const post = (
    key: string | undefined,
    body: unknown,
    token: string | null = alice[0],
    url = '/v1/things',
  ) =>
    app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });

  it('replays the first response to a retry with the same key and body', async () => {
    const before = runs;
    const first = await post('k1', { a: 1 });
    const again = await post('k1', { a: 1 });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(before + 1);
  });

  it('belongs to the user, not the token: a refreshed token replays, another user is independent', async () => {
    const before = runs;
    const first = await post('k-user', { a: 5 }, alice[0]);
    const refreshed = await post('k-user', { a: 5 }, alice[1]);
    expect(refreshed.statusCode).toBe(201);
    expect(refreshed.body).toBe(first.body);
    expect(refreshed.headers['idempotent-replayed']).toBe('true');
    const other = await post('k-user', { a: 5 }, bob);
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.json<{ run: number }>().run).not.toBe(first.json<{ run: number }>().run);
    expect(runs).toBe(before + 2);
  });

  it('refuses the same key with another body (422)', async () => {
    const other = await post('k1', { a: 2 });
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('idempotency-key');
  });

  it('stores nothing for a request refused before the handler: the key works with a corrected request', async () => {
    const before = runs;
    const invalid = await post('k-fix', { a: 'three' });
    expect(invalid.statusCode).toBe(400);
    const anonymous = await post('k-fix', { a: 3 }, null);
    expect(anonymous.statusCode).toBe(401);
    const noRoute = await post('k-fix', { a: 3 }, alice[0], '/v1/no-such-thing');
    expect(noRoute.statusCode).toBe(404);
    const corrected = await post('k-fix', { a: 3 });
    expect(corrected.statusCode).toBe(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(before + 1);
  });

  it("stores the handler's own refusal (409) and replays it", async () => {
    const before = runs;
    const first = await post('k-full', { a: 409 });
    expect(first.statusCode).toBe(409);
    const retry = await post('k-full', { a: 409 }, alice[1]);
    expect(retry.statusCode).toBe(409);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(before + 1);
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

describe('Idempotency-Key on an atomic route (PGlite): change and stored response commit together', () => {
  let app: HttpServer;
  let db: PgliteDb;
  let nudges = 0;
  let alice: [string, string];
  beforeAll(async () => {
    db = await PgliteDb.open();
    await migrate(db, readMigrations());
    await db.exec('CREATE TABLE things (id serial PRIMARY KEY, a int NOT NULL)');
    app = await server(dbIdempotencyStore(async () => db));
    app.post(
      '/v1/things',
      {
        schema: { body: z.object({ a: z.number(), failAfterChange: z.boolean().optional() }) },
        config: { auth: 'user', idempotency: 'atomic' },
      },
      async (request, reply) => {
        const { a, failAfterChange } = request.body;
        if (a === 409) throw conflict('no room');
        const id = await requestDb(request, db, () => nudges++).transaction(
          async (tx) =>
            (await tx.query<{ id: number }>('INSERT INTO things (a) VALUES ($1) RETURNING id', [a])).rows[0]!
              .id,
        );
        if (failAfterChange) throw new Error('failed after the change');
        return reply.code(201).send({ id });
      },
    );
    await app.ready();
    alice = await tokensOf('alice');
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const post = (key: string | undefined, body: unknown, token = alice[0]) =>
    app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });
  const count = async (a: number) =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM things WHERE a = $1', [a])).rows[0]!.n;
  const stored = async (key: string) =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]))
      .rows[0]!.n;

  it('commits the change with its record; retries (also with a refreshed token) replay it', async () => {
    const before = nudges;
    const first = await post('a1', { a: 1 });
    expect(first.statusCode).toBe(201);
    const retries = await Promise.all([post('a1', { a: 1 }), post('a1', { a: 1 }, alice[1])]);
    for (const r of retries) {
      expect(r.statusCode).toBe(201);
      expect(r.body).toBe(first.body);
      expect(r.headers['idempotent-replayed']).toBe('true');
    }
    expect(await count(1)).toBe(1);
    expect(await stored('a1')).toBe(1);
    // The relay is woken once, after the commit that made the row visible.
    expect(nudges).toBe(before + 1);
    expect((await post('a1', { a: 2 })).statusCode).toBe(422);
    expect(await count(2)).toBe(0);
  });

  it('rolls the change back with the record when the response is a failure', async () => {
    expect((await post('a3', { a: 3, failAfterChange: true })).statusCode).toBe(500);
    expect(await count(3)).toBe(0);
    expect(await stored('a3')).toBe(0);
    const retry = await post('a3', { a: 3 });
    expect(retry.statusCode).toBe(201);
    expect(await count(3)).toBe(1);
  });

  it('stores a refusal made before any change, and replays it', async () => {
    const first = await post('a4', { a: 409 });
    expect(first.statusCode).toBe(409);
    const retry = await post('a4', { a: 409 });
    expect(retry.statusCode).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('without a key, the handler gets an ordinary transaction', async () => {
    expect((await post(undefined, { a: 5 })).statusCode).toBe(201);
    expect((await post(undefined, { a: 5 })).statusCode).toBe(201);
    expect(await count(5)).toBe(2);
  });
});
