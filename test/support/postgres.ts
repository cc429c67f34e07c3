// A throw-away database on the real PostgreSQL server for one test file or one test hub.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { serviceAvailable } from './services.ts';

export async function createTestDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface Backend {
  name: 'postgres' | 'pglite';
  /** DATABASE_URL for a fresh database, or undefined for PGlite; plus how to clean up. */
  prepare(): Promise<{ databaseUrl?: string; cleanup: () => Promise<void> }>;
}

/** PGlite always; the real PostgreSQL server when configured (required under REQUIRE_SERVICES=1). */
export async function backends(): Promise<Backend[]> {
  const list: Backend[] = [{ name: 'pglite', prepare: async () => ({ cleanup: async () => undefined }) }];
  const pg = await serviceAvailable('postgres');
  if (pg) {
    list.unshift({
      name: 'postgres',
      async prepare() {
        const { url, drop } = await createTestDatabase(pg.value!);
        return { databaseUrl: url, cleanup: drop };
      },
    });
  }
  return list;
}

/**
 * One backend for a test about something other than the database: the real PostgreSQL when it
 * answers (always under REQUIRE_SERVICES=1), else PGlite. Measured 2026-12-06 with the compiled
 * demo hub, cameras off: 1.2-1.45 core-s to ready on PostgreSQL (2.1-2.2 for the whole machine,
 * the server's migrations included) against 3.2-3.6 on PGlite, which starts PostgreSQL compiled
 * to WebAssembly. Tests of the out-of-the-box setup (the demo, `npm start`) keep PGlite on purpose.
 */
export async function anyBackend(): Promise<Backend> {
  return (await backends())[0]!;
}

/** anyBackend's fresh database as a hub's environment (empty on PGlite), and its cleanup. */
export interface HubDatabase {
  env: { DATABASE_URL?: string };
  drop(): Promise<void>;
}

export async function hubDatabase(): Promise<HubDatabase> {
  const { databaseUrl, cleanup } = await (await anyBackend()).prepare();
  return { env: databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }, drop: cleanup };
}
