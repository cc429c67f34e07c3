import pg from 'pg';
import { backoffDelay, sleep } from '../retry.ts';
import {
  preparedName,
  RETRYABLE_SQLSTATES,
  sqlState,
  type Db,
  type Isolation,
  type QueryResult,
  type Queryable,
} from './types.ts';

const INT8_OID = 20;
// Per-pool parsers (not pg's global ones) so int8 comes back as a number, like PGlite.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format as 'text') as (
          v: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

const wrap = (q: (query: pg.QueryConfig) => Promise<pg.QueryResult>): Queryable => ({
  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const name = params ? preparedName(sql) : undefined;
    const r = await q({ text: sql, ...(params ? { values: params } : {}), ...(name ? { name } : {}) });
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  },
});

export class PostgresDb implements Db {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  constructor(url: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 20,
      types,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    return wrap((c) => this.pool.query(c)).query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(
    fn: (tx: Queryable) => Promise<T>,
    options: { isolation?: Isolation } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`);
        const result = await fn(wrap((c) => client.query(c)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < 5 && RETRYABLE_SQLSTATES.has(sqlState(err) ?? '')) {
          await sleep(backoffDelay(attempt, 5, 200));
          continue;
        }
        throw err;
      } finally {
        client.release();
      }
    }
  }

  async health(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
