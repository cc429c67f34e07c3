import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { PgliteDb } from './pglite.ts';
import { PostgresDb } from './postgres.ts';
import type { Db } from './types.ts';

export * from './types.ts';
export { migrate, readMigrations, splitStatements, MIGRATIONS_DIR } from './migrate.ts';
export { PostgresDb } from './postgres.ts';
export { PgliteDb } from './pglite.ts';

/** PostgreSQL when DATABASE_URL is set, else PGlite under the data dir. */
export async function openDb(config: Pick<Config, 'database' | 'dataDir'>): Promise<Db> {
  if (config.database) return new PostgresDb(config.database.url);
  return PgliteDb.open(join(config.dataDir, 'pglite'));
}
