import { dbContract } from '../contracts/db.contract.ts';
import { PgliteDb } from '../../core/db/pglite.ts';

dbContract('PGlite (in memory)', async () => ({ db: await PgliteDb.open() }));
