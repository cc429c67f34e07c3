// One SQL interface over a PostgreSQL server (pg) and PGlite (PostgreSQL in WASM). Both speak the
// same SQL and return the same JS types: int8 and counts as number, numeric as string,
// timestamptz as Date, json/jsonb parsed.

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

/** What a transaction's callback queries through. */
export interface Transaction extends Queryable {
  /**
   * Runs the transaction's last statement and commits it. On PostgreSQL the statement and COMMIT
   * leave in one write (one round trip instead of two); a statement that fails makes PostgreSQL
   * turn that COMMIT into a ROLLBACK, and the call rejects with the statement's error. Nothing may
   * be queried after it.
   */
  queryAndCommit<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Several statements at once, no parameters (migrations, seeds). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction and commits when it resolves. Serialisation failures and deadlocks
   * (SQLSTATE 40001, 40P01) are retried a few times, so `fn` must be safe to run again.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: { isolation?: Isolation }): Promise<T>;
  health(): Promise<void>;
  close(): Promise<void>;
}

export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

const preparedNames = new Map<string, string>();

/**
 * Marks a fixed, hot statement (a booking's, the outbox relay's) to be parsed and planned once per
 * PostgreSQL connection instead of on every call; returns the text unchanged. Only statements
 * named here are prepared, so the number of prepared statements stays fixed by the code. PGlite
 * ignores it.
 */
export function prepared(sql: string): string {
  if (!preparedNames.has(sql)) preparedNames.set(sql, `cs_prepared_${preparedNames.size + 1}`);
  return sql;
}

/** The statement name of a text passed through prepared(), else undefined. */
export const preparedName = (sql: string): string | undefined => preparedNames.get(sql);
