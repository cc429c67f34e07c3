import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import type { Db } from './types.ts';

export * from './types.ts';
export { migrate, readMigrations, splitStatements, MIGRATIONS_DIR } from './migrate.ts';

/**
 * PostgreSQL when DATABASE_URL is set, else PGlite under the data dir. Each adapter (and its
 * driver: pg, or PGlite) is imported only when chosen, so a process loads one of them, and a
 * role that never opens the database (stream) loads neither: start-up time and memory.
 * Import the classes themselves from ./postgres.ts or ./pglite.ts.
 */
export async function openDb(config: Pick<Config, 'database' | 'dataDir'>): Promise<Db> {
  if (config.database) {
    const { PostgresDb } = await import('./postgres.ts');
    return new PostgresDb(config.database.url);
  }
  const { PgliteDb } = await import('./pglite.ts');
  return PgliteDb.open(join(config.dataDir, 'pglite'));
}
