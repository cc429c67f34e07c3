// Idempotency-Key for every POST (IETF draft-ietf-httpapi-idempotency-key-header): the first
// response to a key is stored and replayed to retries with the same body; the same key with
// another body is refused with 422; a retry while the first is still running gets 409.
// Keys are scoped by the caller's credentials so one client can never see another's response.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Queryable } from '../db/types.ts';
import { badRequest, conflict, unprocessable } from './problem.ts';

export type IdempotencyRecord =
  | { state: 'reserved' }
  | { state: 'in_flight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; statusCode: number; contentType: string | null; body: string };

export interface IdempotencyStore {
  /** Reserves (scope, key) for this request, or returns what an earlier request left there. */
  begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyRecord>;
  complete(
    scope: string,
    key: string,
    statusCode: number,
    contentType: string | null,
    body: string,
  ): Promise<void>;
  /** Frees a reservation whose request failed (5xx), so a retry runs again. */
  release(scope: string, key: string): Promise<void>;
}

/** A reservation older than this without a response belongs to a process that died: take it over. */
const STALE_SECONDS = 60;

/**
 * Runs one write without waiting for its WAL flush (asynchronous commit). Used for the reservation
 * only: the business change that follows commits synchronously, which flushes the WAL up to and
 * including the reservation, so a reservation can only be lost together with a request that never
 * committed. The response record (complete) stays synchronous: losing it would let a retry run the
 * request a second time (a duplicate incident report, for one).
 */
async function quickWrite<T>(d: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return d.transaction(async (tx) => {
    await tx.query('SET LOCAL synchronous_commit = off');
    return fn(tx);
  });
}

export function dbIdempotencyStore(db: () => Promise<Db>): IdempotencyStore {
  return {
    async begin(scope, key, fingerprint) {
      const d = await db();
      const ins = await quickWrite(d, (tx) =>
        tx.query(
          `INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, created_at = now()
           WHERE idempotency_keys.completed_at IS NULL
             AND idempotency_keys.created_at < now() - make_interval(secs => ${STALE_SECONDS})
         RETURNING 1`,
          [scope, key, fingerprint],
        ),
      );
      if (ins.rowCount > 0) return { state: 'reserved' };
      const { rows } = await d.query<{
        fingerprint: string;
        status_code: number | null;
        content_type: string | null;
        body: string | null;
      }>(
        'SELECT fingerprint, status_code, content_type, body FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [scope, key],
      );
      const r = rows[0];
      // Released between our INSERT and SELECT: try once more.
      if (!r) return this.begin(scope, key, fingerprint);
      if (r.status_code === null) return { state: 'in_flight', fingerprint: r.fingerprint };
      return {
        state: 'done',
        fingerprint: r.fingerprint,
        statusCode: r.status_code,
        contentType: r.content_type,
        body: r.body ?? '',
      };
    },
    async complete(scope, key, statusCode, contentType, body) {
      await (
        await db()
      ).query(
        `UPDATE idempotency_keys SET status_code = $3, content_type = $4, body = $5, completed_at = now()
         WHERE scope = $1 AND key = $2`,
        [scope, key, statusCode, contentType, body],
      );
    },
    async release(scope, key) {
      await (
        await db()
      ).query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND completed_at IS NULL', [
        scope,
        key,
      ]);
    },
  };
}

/** For processes without a database (and unit tests): same semantics, this process only. */
export function memoryIdempotencyStore(maxEntries = 10_000): IdempotencyStore {
  const entries = new Map<string, IdempotencyRecord & { fingerprint?: string }>();
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  return {
    async begin(scope, key, fingerprint) {
      const existing = entries.get(id(scope, key));
      if (existing && existing.state !== 'reserved') return existing;
      if (existing) return { state: 'in_flight', fingerprint: existing.fingerprint ?? '' };
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(id(scope, key), { state: 'reserved', fingerprint });
      return { state: 'reserved' };
    },
    async complete(scope, key, statusCode, contentType, body) {
      const e = entries.get(id(scope, key));
      entries.set(id(scope, key), {
        state: 'done',
        fingerprint: e?.fingerprint ?? '',
        statusCode,
        contentType,
        body,
      });
    },
    async release(scope, key) {
      entries.delete(id(scope, key));
    },
  };
}

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Pending {
  scope: string;
  key: string;
  settled: boolean;
}
const pending = new WeakMap<FastifyRequest, Pending>();

function scopeOf(request: FastifyRequest): string {
  const credential = request.headers.authorization ?? request.headers['x-api-key'] ?? 'anonymous';
  return sha256(Array.isArray(credential) ? credential.join(',') : credential);
}

function fingerprintOf(request: FastifyRequest): string {
  const contentType = request.headers['content-type'] ?? '';
  // Multipart bodies are streamed to the handler, not parsed here: their length stands in.
  const body =
    request.body === undefined
      ? `${contentType}|${request.headers['content-length'] ?? ''}`
      : Buffer.isBuffer(request.body)
        ? request.body.toString('base64')
        : JSON.stringify(request.body);
  return sha256(`${request.method} ${request.url}\n${body}`);
}

/** Adds the hooks to the root instance, so every POST route registered afterwards has them. */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const raw = request.headers[HEADER];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0]! : raw;
    if (!KEY_PATTERN.test(key)) {
      throw badRequest(
        'Idempotency-Key must be 1-255 visible ASCII characters',
        [{ in: 'headers', field: 'idempotency-key', message: 'expected 1-255 visible ASCII characters' }],
        'idempotency_key_invalid',
      );
    }
    const scope = scopeOf(request);
    const fingerprint = fingerprintOf(request);
    const found = await store.begin(scope, key, fingerprint);
    if (found.state === 'reserved') {
      pending.set(request, { scope, key, settled: false });
      return;
    }
    if (found.fingerprint !== fingerprint) {
      throw unprocessable(
        'this Idempotency-Key was already used with a different request body',
        [{ in: 'headers', field: 'idempotency-key', message: 'reused with a different request' }],
        'idempotency_key_reused',
      );
    }
    if (found.state === 'in_flight') {
      throw conflict('a request with this Idempotency-Key is still being processed; retry shortly', {
        code: 'idempotency_in_flight',
      });
    }
    reply.code(found.statusCode).header('idempotent-replayed', 'true');
    if (found.contentType) reply.header('content-type', found.contentType);
    return reply.send(found.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const p = pending.get(request);
    if (!p || p.settled) return payload;
    p.settled = true;
    if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      await store.release(p.scope, p.key);
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    await store.complete(
      p.scope,
      p.key,
      reply.statusCode,
      typeof contentType === 'string' ? contentType : null,
      Buffer.isBuffer(payload) ? payload.toString('utf8') : payload,
    );
    return payload;
  });

  // A request that ended without a response (client gone, stream error) frees its key.
  app.addHook('onResponse', async (request) => {
    const p = pending.get(request);
    if (p && !p.settled) await store.release(p.scope, p.key);
  });
}
