// Idempotency-Key for every POST (IETF draft-ietf-httpapi-idempotency-key-header): the first
// response to a key is stored and replayed to retries with the same body; the same key with
// another body is refused with 422.
//
// Keys belong to the authenticated principal (the token's `sub`, the integrator key's name, else
// the client address), not to the credential string, so a retry after a token refresh replays.
// Only answers the handler produced are stored: a request refused before it ran (auth 401/403 and
// schema 400 come before this hook; the route's 404 is skipped) or refused for its input or timing
// wherever that was found (400, 408, 413, 415, 429), or failing (5xx), leaves the key unused, so
// a corrected request may reuse it.
//
// Two ways to keep the record:
//   reserve   (default) a reservation before the handler, completed by the response. A retry
//             while the first is still running gets 409.
//   atomic    (routes with `config.idempotency: 'atomic'`, whose handler writes through
//             requestDb) the record and its response are written inside the handler's own
//             transaction, which commits after the reply is serialised: change, outbox events
//             and stored response commit together, in one WAL flush. A retry's own work is rolled
//             back when its record finds the key taken (waiting for a first attempt still in
//             flight), and it replays the first answer: no separate reservation round trip.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Transaction } from '../db/types.ts';
import { holdTransaction, type HeldTransaction } from './held-transaction.ts';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from './idempotency-store.ts';
import { badRequest, conflict, HttpProblem, problemDocument, unprocessable } from './problem.ts';

export * from './idempotency-store.ts';
export type { HeldTransaction } from './held-transaction.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'atomic': the handler writes through requestDb and the key's record commits with it. */
    idempotency?: 'atomic';
  }
}

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Refusals of the request itself (its input, size, type, timing): the key stays unused. */
const NOT_STORED = new Set([400, 408, 413, 415, 429]);
const storable = (status: number) => status < 500 && !NOT_STORED.has(status);

interface Pending {
  mode: 'reserve' | 'atomic';
  scope: string;
  key: string;
  fingerprint: string;
  settled: boolean;
  /** atomic: the handler's transaction, open until the response is stored with it. */
  held?: HeldTransaction;
  afterCommit?: () => void;
}
const pending = new WeakMap<FastifyRequest, Pending>();

/** Whose key it is: the signed-in user, the integrator, or (anonymous) the client address. */
export function idempotencyScope(request: FastifyRequest): string {
  if (request.principal) return `user:${request.principal.sub}`;
  if (request.integrator) return `integrator:${request.integrator}`;
  return `anonymous:${request.ip}`;
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

/**
 * The database a handler writes through. On an atomic route called with an Idempotency-Key, its
 * one transaction stays open until the response is stored in it and commits with it; otherwise
 * it is `db`'s own transaction. `afterCommit` (the outbox relay's nudge) runs once the change is
 * committed, so the relay never looks before the rows are visible.
 */
export function requestDb(request: FastifyRequest, db: Db, afterCommit: () => void = () => undefined): Db {
  const p = pending.get(request);
  const atomic = p?.mode === 'atomic' ? p : null;
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    health: () => db.health(),
    close: () => db.close(),
    async transaction(fn, options) {
      if (!atomic) {
        const value = await db.transaction(fn, options);
        afterCommit();
        return value;
      }
      if (atomic.held || atomic.settled) {
        throw new Error(`${request.routeOptions.url}: one transaction per atomic request`);
      }
      const { value, held } = await holdTransaction(db, fn);
      atomic.held = held;
      atomic.afterCommit = afterCommit;
      return value;
    },
  };
}

/** Adds the hooks to the root instance, so every POST route registered afterwards has them. */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' || request.is404) return;
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
    const scope = idempotencyScope(request);
    const fingerprint = fingerprintOf(request);
    if (request.routeOptions.config.idempotency === 'atomic') {
      // Nothing to read or write yet: the record is written with the handler's change.
      pending.set(request, { mode: 'atomic', scope, key, fingerprint, settled: false });
      return;
    }
    const found = await store.begin(scope, key, fingerprint);
    if (found.state === 'reserved') {
      pending.set(request, { mode: 'reserve', scope, key, fingerprint, settled: false });
      return;
    }
    const replay = replayOf(found, fingerprint);
    if (replay instanceof HttpProblem) throw replay;
    reply.code(replay.statusCode).header('idempotent-replayed', 'true');
    if (replay.contentType) reply.header('content-type', replay.contentType);
    return reply.send(replay.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const p = pending.get(request);
    if (!p || p.settled) return payload;
    p.settled = true;
    const contentType = reply.getHeader('content-type');
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
    const keep = storable(reply.statusCode) && text !== null;
    const response: StoredResponse = {
      statusCode: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : null,
      body: text ?? '',
    };

    if (p.mode === 'reserve') {
      if (keep) await store.complete(p.scope, p.key, response);
      else await store.release(p.scope, p.key);
      return payload;
    }

    if (!keep) {
      await p.held?.rollback();
      return payload;
    }
    // The handler's change (if it made one) and the record commit together, or neither does.
    const written = p.held
      ? await p.held.finish((tx: Transaction) => store.record(p.scope, p.key, p.fingerprint, response, tx))
      : await store.record(p.scope, p.key, p.fingerprint, response);
    if (written) {
      p.afterCommit?.();
      return payload;
    }
    // An earlier request with this key committed first: its answer is the one this key gives.
    const found = await store.find(p.scope, p.key);
    const replay = found
      ? replayOf(found, p.fingerprint)
      : conflict('a request with this Idempotency-Key is still being processed; retry shortly', {
          code: 'idempotency_in_flight',
        });
    if (replay instanceof HttpProblem) {
      reply.code(replay.status).header('content-type', 'application/problem+json');
      return JSON.stringify(problemDocument(replay, request));
    }
    reply.code(replay.statusCode).header('idempotent-replayed', 'true');
    if (replay.contentType) reply.header('content-type', replay.contentType);
    return replay.body;
  });

  // A request that ended without a response (client gone, stream error) frees its key.
  app.addHook('onResponse', async (request) => {
    const p = pending.get(request);
    if (!p) return;
    if (p.held) await p.held.rollback();
    if (p.mode === 'reserve' && !p.settled) await store.release(p.scope, p.key);
  });
}

/** What a retry with `fingerprint` gets from an existing record: the stored answer, or a refusal. */
function replayOf(
  found: Exclude<IdempotencyRecord, { state: 'reserved' }>,
  fingerprint: string,
): StoredResponse | HttpProblem {
  if (found.fingerprint !== fingerprint) {
    return unprocessable(
      'this Idempotency-Key was already used with a different request body',
      [{ in: 'headers', field: 'idempotency-key', message: 'reused with a different request' }],
      'idempotency_key_reused',
    );
  }
  if (found.state === 'in_flight') {
    return conflict('a request with this Idempotency-Key is still being processed; retry shortly', {
      code: 'idempotency_in_flight',
    });
  }
  return found;
}
