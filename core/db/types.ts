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

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Several statements at once, no parameters (migrations, seeds). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction and commits when it resolves. Serialisation failures and deadlocks
   * (SQLSTATE 40001, 40P01) are retried a few times, so `fn` must be safe to run again.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: { isolation?: Isolation }): Promise<T>;
  health(): Promise<void>;
  close(): Promise<void>;
}

export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
