import { parseArgs } from 'node:util';
import { MIGRATION_DIRS } from '../../app/migrations.ts';
import { loadConfig } from '../../core/config/index.ts';
import { migrate, openDb, readMigrations } from '../../core/db/index.ts';
import { seedDemoData } from '../../core/db/seed.ts';
import { demoSeeders } from '../../app/seeders.ts';

export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { seed: { type: 'boolean', default: false } },
    strict: true,
  });
  const config = loadConfig(process.env);
  const db = await openDb(config);
  try {
    const applied = await migrate(db, readMigrations(MIGRATION_DIRS));
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    if (values.seed) {
      const seeded = await seedDemoData(db, demoSeeders);
      process.stdout.write(seeded.length ? `seeded: ${seeded.join(', ')}\n` : 'seed data already present\n');
    }
    return 0;
  } finally {
    await db.close();
  }
}
