import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Isolation, QueryResult, Queryable } from './types.ts';

const wrap = (q: Pick<Transaction, 'query'>): Queryable => ({
  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const r = await q.query<T>(sql, params);
    // PGlite reports affectedRows 0 for SELECT; pg reports the row count.
    return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
  },
});

/**
 * PGlite runs one statement at a time in this process, so transactions are naturally serial:
 * the isolation level is accepted for parity with PostgreSQL and cannot be violated here.
 */
export class PgliteDb implements Db {
  readonly kind = 'pglite';

  private readonly pg: PGlite;

  private constructor(pg: PGlite) {
    this.pg = pg;
  }

  /** `dir` undefined: in memory (tests). */
  static async open(dir?: string): Promise<PgliteDb> {
    if (dir) mkdirSync(dir, { recursive: true });
    const pg = await PGlite.create(dir === undefined ? undefined : { dataDir: dir });
    return new PgliteDb(pg);
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    return wrap(this.pg).query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async transaction<T>(
    fn: (tx: Queryable) => Promise<T>,
    _options: { isolation?: Isolation } = {},
  ): Promise<T> {
    return this.pg.transaction((tx) => fn(wrap(tx)));
  }

  async health(): Promise<void> {
    await this.pg.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
