// Where the SQL migrations are: core's folder and every feature module's `migrations/` folder
// (modules/<area>/migrations), found by that convention rather than read off the modules, so
// listing them loads no module code: a stream-only process migrates the database without loading
// every area's routes, stores and their libraries. Order does not matter here: readMigrations
// sorts all files by name (core/db/migrate.ts).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from '../core/db/migrate.ts';

const MODULES_DIR = fileURLToPath(new URL('../modules/', import.meta.url));

export const MIGRATION_DIRS: readonly string[] = [
  MIGRATIONS_DIR,
  ...readdirSync(MODULES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(MODULES_DIR, d.name, 'migrations'))
    .filter((dir) => existsSync(dir)),
];
