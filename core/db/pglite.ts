import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { PGlite, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import {
  copyEmptyCluster,
  emptyClusterTarball,
  forgetEmptyCluster,
  keepEmptyCluster,
  keepEmptyClusterTarball,
} from './pglite-cluster-cache.ts';
import type { Db, Isolation, QueryResult, Queryable, Transaction } from './types.ts';

// PGlite is ~10 MB of WebAssembly. V8 runs it first as Liftoff (baseline) code and recompiles hot
// functions with TurboFan on background threads; on 2 cores that recompilation took ~2 s of CPU in
// a process's first seconds and stalled its main thread for 0.2-0.8 s after PGlite.create (strace:
// the main thread waits on a futex for a V8 worker). Liftoff only, measured on Node 20: opening and
// migrating a cluster 0.55 s instead of 1.45 s, 3,000 single-row inserts 30 % faster, 3,000
// count(*) scans ~20 % slower. The embedded database serves single-node and test hubs, where
// start-up and short bursts dominate, so we take it. It applies to WebAssembly compiled after this
// module loads (which is only when PGlite is the chosen adapter).
v8.setFlagsFromString('--liftoff-only');

// PostgreSQL's default 128 MB of shared buffers is allocated and zeroed inside PGlite's WebAssembly
// memory at every start: ~100 ms and 130 MB of RSS. One process is the only client, and the OS
// page cache still holds the data files, so 32 MB is enough.
const START = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] };

const wrap = (q: Pick<PgliteTransaction, 'query'>): Queryable => ({
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

  /** `dir` undefined: in memory (tests). A new cluster starts from the cached empty one when it can. */
  static async open(dir?: string): Promise<PgliteDb> {
    if (dir === undefined) return new PgliteDb(await openInMemory());
    if (!existsSync(join(dir, 'PG_VERSION'))) return new PgliteDb(await createCluster(dir));
    return new PgliteDb(await PGlite.create({ ...START, dataDir: dir }));
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    return wrap(this.pg).query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    _options: { isolation?: Isolation } = {},
  ): Promise<T> {
    return this.pg.transaction((pgTx) => {
      const tx = wrap(pgTx);
      // In-process: no round trip to save. The statement runs, and the commit follows when `fn`
      // returns; a failing statement rejects, and PGlite rolls the transaction back.
      return fn({
        query: (sql, params) => tx.query(sql, params),
        queryAndCommit: (sql, params) => tx.query(sql, params),
      });
    });
  }

  async health(): Promise<void> {
    await this.pg.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}

async function createCluster(dir: string): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  if (copyEmptyCluster(dir)) {
    try {
      return await PGlite.create({ ...START, dataDir: dir });
    } catch {
      forgetEmptyCluster();
    }
  }
  // initdb wants an empty directory: clear whatever a failed copy or open left behind.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create({ ...START, dataDir: dir }); // initdb
  // Every page on disk before the files are copied, as a clean shutdown would leave them.
  await pg.exec('CHECKPOINT');
  keepEmptyCluster(dir);
  return pg;
}

async function openInMemory(): Promise<PGlite> {
  const tarball = emptyClusterTarball();
  if (tarball) {
    try {
      return await PGlite.create({ ...START, loadDataDir: tarball });
    } catch {
      forgetEmptyCluster();
    }
  }
  const pg = await PGlite.create(START); // initdb
  await pg.exec('CHECKPOINT');
  await keepEmptyClusterTarball(
    async () => new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer()),
  );
  return pg;
}
