import { dbContract } from './db.contract.ts';
import { PgliteDb } from './pglite.ts';

dbContract('PGlite (in memory)', async () => ({ db: await PgliteDb.open() }));
