import { describe, expect, it } from 'vitest';
import { serviceAvailable } from './support/services.ts';
import { createTestDatabase } from './support/postgres.ts';
import { dbContract } from './contracts/db.contract.ts';
import { migrate, readMigrations } from '../core/db/migrate.ts';
import { PostgresDb } from '../core/db/postgres.ts';

const server = await serviceAvailable('postgres');

if (server) {
  dbContract(`real PostgreSQL at ${server.host}:${server.port}`, async () => {
    const { url, drop } = await createTestDatabase(server.value!);
    return { db: new PostgresDb(url), cleanup: drop };
  });

  describe('PostgreSQL migrations under concurrency', () => {
    it('applies each migration exactly once when several processes start together', async () => {
      const { url, drop } = await createTestDatabase(server.value!);
      const dbs = [0, 1, 2, 3].map(() => new PostgresDb(url, { max: 2 }));
      try {
        const results = await Promise.all(dbs.map((db) => migrate(db)));
        expect(results.flat().sort()).toEqual(readMigrations().map((m) => m.version));
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
        await drop();
      }
    });
  });
} else {
  describe.skip('db contract: PostgreSQL (DATABASE_URL not reachable; run scripts/services up)', () => {});
}
