// Plain SQL migrations: core's own (core/db/migrations) and one folder per feature module
// (modules/<area>/migrations, collected by app/migrations.ts), merged and applied in global file-name
// order, each in its own transaction, under an advisory lock so several processes starting at
// once apply each file exactly once. Number ranges keep areas apart:
// 0001-0099 core, 0100-0199 air, 0200-0299 cameras, 0300-0499 city services. The version is the
// file name, not its folder, so moving a file between folders never re-applies it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './types.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_ID = 0x63697479; // "city"

export interface Migration {
  version: string;
  sql: string;
}

/** The migrations of one folder or several, in global file-name order; a version twice is an error. */
export function readMigrations(dirs: string | readonly string[] = MIGRATIONS_DIR): Migration[] {
  const files = (typeof dirs === 'string' ? [dirs] : dirs).flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
      .map((f) => ({ f, path: join(dir, f) })),
  );
  files.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  return files.map(({ f, path }, i) => {
    if (files[i + 1]?.f === f) throw new Error(`migration ${f} exists twice: ${path}, ${files[i + 1]!.path}`);
    return { version: f.replace(/\.sql$/, ''), sql: readFileSync(path, 'utf8') };
  });
}

/** Applies what is missing; returns the versions applied now. */
export async function migrate(db: Db, migrations = readMigrations()): Promise<string[]> {
  // Most starts find every file applied: one read answers that, instead of a locked transaction
  // per file (17 of them took ~250 ms of an embedded hub's start-up). Missing files still go
  // through the lock below, which is what makes concurrent starts safe.
  const known = await appliedVersions(db);
  const pending = migrations.filter((m) => !known.has(m.version));
  const applied: string[] = [];
  for (const m of pending) {
    const ran = await db.transaction(async (tx) => {
      // Transaction-scoped lock: released by COMMIT/ROLLBACK on whichever pooled connection ran it.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.rowCount > 0) return false;
      // Multi-statement text cannot be parameterised; migrations are trusted files.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      return true;
    });
    if (ran) applied.push(m.version);
  }
  return applied;
}

async function appliedVersions(db: Db): Promise<Set<string>> {
  const table = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!table.rows[0]?.exists) return new Set();
  const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => r.version));
}

/**
 * Splits a migration into statements on semicolons outside quotes, comments and dollar-quoted
 * bodies (function definitions), since extended-protocol queries take one statement each.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z0-9_]*\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? sql.length : end + tag[0].length;
      } else i++;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      start = ++i;
    } else i++;
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '');
}
