// Where Idempotency-Key records live (table idempotency_keys, or this process's memory). A record is
// either a reservation (a request still running, no response yet) or a finished one with the
// response to replay. core/http/idempotency.ts decides when each is written.
import { prepared, sqlState, type Db, type Queryable, type Transaction } from '../db/types.ts';

export type IdempotencyRecord =
  | { state: 'reserved' }
  | { state: 'in_flight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; statusCode: number; contentType: string | null; body: string };

export interface StoredResponse {
  statusCode: number;
  contentType: string | null;
  body: string;
}

export interface IdempotencyStore {
  /** Reserves (scope, key) for this request, or returns what an earlier request left there. */
  begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyRecord>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Frees a reservation whose request failed (5xx), so a retry runs again. */
  release(scope: string, key: string): Promise<void>;
  /**
   * Writes a finished record in one step. Given `tx` (the request's own transaction), the record
   * is its last statement and commits it, so record and change commit together (one round trip
   * for both). False when the key already has a record, with `tx` rolled back: the caller replays
   * that record instead.
   */
  record(
    scope: string,
    key: string,
    fingerprint: string,
    response: StoredResponse,
    tx?: Transaction,
  ): Promise<boolean>;
  /** What (scope, key) holds now, or null. */
  find(scope: string, key: string): Promise<Exclude<IdempotencyRecord, { state: 'reserved' }> | null>;
}

/** A reservation older than this without a response belongs to a process that died: take it over. */
const STALE_SECONDS = 60;
const TAKE_OVER_STALE = `WHERE idempotency_keys.completed_at IS NULL
  AND idempotency_keys.created_at < now() - make_interval(secs => ${STALE_SECONDS})`;

/** A finished record in one step; takes over a stale reservation, leaves any other record alone. */
const WRITE_RECORD = `
  INSERT INTO idempotency_keys (scope, key, fingerprint, status_code, content_type, body, completed_at)
  VALUES ($1, $2, $3, $4, $5, $6, now())
  ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
    status_code = EXCLUDED.status_code, content_type = EXCLUDED.content_type, body = EXCLUDED.body,
    created_at = now(), completed_at = now()
  ${TAKE_OVER_STALE}
  RETURNING 1`;
const RECORD = prepared(WRITE_RECORD);

/** SQLSTATE of idempotency_key_taken() (core/db/migrations/0002_idempotency_key_taken.sql). */
const KEY_TAKEN = 'CS409';

/**
 * RECORD as a transaction's last statement: a taken key is an error rather than no row, so the
 * COMMIT sent with it turns into a ROLLBACK (see Transaction.queryAndCommit).
 */
const RECORD_OR_RAISE = prepared(`
  WITH written AS (${WRITE_RECORD})
  SELECT 1 FROM written
  UNION ALL
  SELECT idempotency_key_taken($1, $2) WHERE NOT EXISTS (SELECT 1 FROM written)`);

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

interface Row {
  fingerprint: string;
  status_code: number | null;
  content_type: string | null;
  body: string | null;
}

const toRecord = (r: Row): Exclude<IdempotencyRecord, { state: 'reserved' }> =>
  r.status_code === null
    ? { state: 'in_flight', fingerprint: r.fingerprint }
    : {
        state: 'done',
        fingerprint: r.fingerprint,
        statusCode: r.status_code,
        contentType: r.content_type,
        body: r.body ?? '',
      };

export function dbIdempotencyStore(db: () => Promise<Db>): IdempotencyStore {
  const find = async (scope: string, key: string) => {
    const { rows } = await (
      await db()
    ).query<Row>(
      'SELECT fingerprint, status_code, content_type, body FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  };
  return {
    find,
    async begin(scope, key, fingerprint) {
      const ins = await quickWrite(await db(), (tx) =>
        tx.query(
          `INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
           ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, created_at = now()
           ${TAKE_OVER_STALE}
           RETURNING 1`,
          [scope, key, fingerprint],
        ),
      );
      if (ins.rowCount > 0) return { state: 'reserved' };
      // Released between our INSERT and SELECT: try once more.
      return (await find(scope, key)) ?? this.begin(scope, key, fingerprint);
    },
    async complete(scope, key, r) {
      await (
        await db()
      ).query(
        `UPDATE idempotency_keys SET status_code = $3, content_type = $4, body = $5, completed_at = now()
         WHERE scope = $1 AND key = $2`,
        [scope, key, r.statusCode, r.contentType, r.body],
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
    async record(scope, key, fingerprint, r, tx) {
      // A concurrent first attempt with this key makes the INSERT wait for that transaction: when it
      // commits, nothing is written here and its record is the one replayed.
      const params = [scope, key, fingerprint, r.statusCode, r.contentType, r.body];
      if (!tx) return (await (await db()).query(RECORD, params)).rowCount > 0;
      try {
        await tx.queryAndCommit(RECORD_OR_RAISE, params);
        return true;
      } catch (err) {
        if (sqlState(err) === KEY_TAKEN) return false;
        throw err;
      }
    },
  };
}

/**
 * For processes without a database (and unit tests): same semantics, this process only. A record
 * written "in a transaction" is kept at once: there is no transaction here to roll it back.
 */
export function memoryIdempotencyStore(maxEntries = 10_000): IdempotencyStore {
  type Entry = Exclude<IdempotencyRecord, { state: 'reserved' }>;
  const entries = new Map<string, Entry>();
  const id = (scope: string, key: string) => `${scope}\u0000${key}`;
  const put = (k: string, e: Entry) => {
    if (!entries.has(k) && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(k, e);
  };
  return {
    async find(scope, key) {
      return entries.get(id(scope, key)) ?? null;
    },
    async begin(scope, key, fingerprint) {
      const existing = entries.get(id(scope, key));
      if (existing) return existing;
      put(id(scope, key), { state: 'in_flight', fingerprint });
      return { state: 'reserved' };
    },
    async complete(scope, key, r) {
      const e = entries.get(id(scope, key));
      put(id(scope, key), { state: 'done', fingerprint: e?.fingerprint ?? '', ...r });
    },
    async release(scope, key) {
      if (entries.get(id(scope, key))?.state === 'in_flight') entries.delete(id(scope, key));
    },
    async record(scope, key, fingerprint, r) {
      if (entries.has(id(scope, key))) return false;
      put(id(scope, key), { state: 'done', fingerprint, ...r });
      return true;
    },
  };
}
