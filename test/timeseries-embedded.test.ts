import { describe } from 'vitest';
import { serviceAvailable } from './support/services.ts';
import { createTestDatabase } from './support/postgres.ts';
import { migrate } from '../core/db/migrate.ts';
import { PgliteDb } from '../core/db/pglite.ts';
import { PostgresDb } from '../core/db/postgres.ts';
import { EmbeddedTimeSeries } from '../core/timeseries/embedded.ts';
import { timeSeriesContract } from './contracts/timeseries-store.contract.ts';

timeSeriesContract('embedded on PGlite', async () => {
  const db = await PgliteDb.open();
  await migrate(db);
  return { store: new EmbeddedTimeSeries(db), cleanup: () => db.close() };
});

const server = await serviceAvailable('postgres');
if (server) {
  timeSeriesContract(`embedded on real PostgreSQL at ${server.host}:${server.port}`, async () => {
    const { url, drop } = await createTestDatabase(server.value!);
    const db = new PostgresDb(url);
    await migrate(db);
    return {
      store: new EmbeddedTimeSeries(db),
      cleanup: async () => {
        await db.close();
        await drop();
      },
    };
  });
} else {
  describe.skip('time-series contract: embedded on PostgreSQL (DATABASE_URL not reachable)', () => {});
}
