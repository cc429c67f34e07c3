// One suite for both SQL adapters: the same SQL must give the same results on PGlite and on the
// PostgreSQL server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../core/db/migrate.ts';
import type { Db } from '../../core/db/types.ts';

export function dbContract(label: string, open: () => Promise<{ db: Db; cleanup?: () => Promise<void> }>) {
  describe(`db contract: ${label}`, () => {
    let db: Db;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
    });
    afterAll(async () => {
      await db?.close();
      await cleanup?.();
    });

    it('returns the same JS types: int8 as number, numeric as string, timestamptz as Date, jsonb parsed', async () => {
      const { rows } = await db.query<{ a: number; b: string; c: Date; d: unknown; e: number }>(
        `SELECT 9007199254740::int8 AS a, 25.50::numeric(10,2) AS b, '2026-11-24T08:00:00Z'::timestamptz AS c,
                '{"x":[1,2]}'::jsonb AS d, count(*) AS e FROM (VALUES (1),(2)) v(x)`,
      );
      expect(rows[0]).toEqual({
        a: 9007199254740,
        b: '25.50',
        c: new Date('2026-11-24T08:00:00Z'),
        d: { x: [1, 2] },
        e: 2,
      });
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await db.exec('CREATE TABLE tx_probe (id int PRIMARY KEY, v text)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'kept']);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_probe VALUES ($1, $2)', [2, 'lost']);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const { rows, rowCount } = await db.query('SELECT id, v FROM tx_probe ORDER BY id');
      expect(rows).toEqual([{ id: 1, v: 'kept' }]);
      expect(rowCount).toBe(1);
      const upd = await db.query('UPDATE tx_probe SET v = $1', ['changed']);
      expect(upd.rowCount).toBe(1);
    });

    it('ends a transaction with its last statement: committed with it, or rolled back when it fails', async () => {
      await db.exec('CREATE TABLE tx_last (id int PRIMARY KEY, v text)');
      const returned = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_last VALUES ($1, $2)', [1, 'change']);
        return tx.queryAndCommit<{ id: number }>('INSERT INTO tx_last VALUES ($1, $2) RETURNING id', [
          2,
          'last',
        ]);
      });
      expect(returned.rows).toEqual([{ id: 2 }]);
      // The last statement fails (duplicate key): the change before it is rolled back with it.
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_last VALUES ($1, $2)', [3, 'lost']);
          await tx.queryAndCommit('INSERT INTO tx_last VALUES ($1, $2)', [1, 'duplicate']);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      // As the only statement of its transaction.
      await db.transaction((tx) => tx.queryAndCommit('INSERT INTO tx_last VALUES ($1, $2)', [4, 'alone']));
      const { rows } = await db.query('SELECT id, v FROM tx_last ORDER BY id');
      expect(rows).toEqual([
        { id: 1, v: 'change' },
        { id: 2, v: 'last' },
        { id: 4, v: 'alone' },
      ]);
      // The connection is clean afterwards: a new transaction commits normally.
      await db.transaction((tx) => tx.query('UPDATE tx_last SET v = $1 WHERE id = 4', ['again']));
      expect((await db.query('SELECT v FROM tx_last WHERE id = 4')).rows).toEqual([{ v: 'again' }]);
    });

    it('applies migrations once, in order, with dollar-quoted bodies, and is idempotent', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(
        join(dir, '0001_first.sql'),
        'CREATE TABLE m1 (id int);\n-- a comment; with a semicolon\nINSERT INTO m1 VALUES (1);',
      );
      writeFileSync(
        join(dir, '0002_second.sql'),
        'CREATE FUNCTION twice(x int) RETURNS int AS $$ BEGIN RETURN x * 2; END; $$ LANGUAGE plpgsql;\nINSERT INTO m1 VALUES (twice(21));',
      );
      writeFileSync(join(dir, 'README.txt'), 'not a migration');
      expect(await migrate(db, readMigrations(dir))).toEqual(['0001_first', '0002_second']);
      expect(await migrate(db, readMigrations(dir))).toEqual([]);
      const { rows } = await db.query<{ id: number }>('SELECT id FROM m1 ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([1, 42]);
    });

    it('rolls back a failing migration entirely and reports it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      writeFileSync(join(dir, '0001_bad.sql'), 'CREATE TABLE half (id int);\nSELECT no_such_function();');
      await expect(migrate(db, readMigrations(dir))).rejects.toThrow(/no_such_function/);
      const { rows } = await db.query("SELECT to_regclass('half') AS t");
      expect(rows[0]).toEqual({ t: null });
    });

    it('applies the hub migrations', async () => {
      await migrate(db);
      const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(rows[0]!.n).toBeGreaterThanOrEqual(readMigrations().length);
    });
  });
}
