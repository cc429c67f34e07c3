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

/** What a test hub needs to run on its own database: its DATABASE_URL (if any), and the cleanup. */
export interface HubDatabase {
  env: { DATABASE_URL?: string };
  drop(): Promise<void>;
}

/**
 * A fresh database for a hub whose test does not care which database it runs on: on the shared
 * PostgreSQL when it answers (always under REQUIRE_SERVICES=1), else none, and the hub opens
 * PGlite. Measured 2026-12-06 with the compiled demo hub, cameras off: 1.2-1.45 core-s to ready
 * on PostgreSQL (2.1-2.2 for the whole machine, the server's migrations included) against
 * 3.2-3.6 on PGlite, which starts PostgreSQL compiled to WebAssembly that V8 compiles first.
 * Tests of the out-of-the-box setup (the demo, `npm start`) keep PGlite on purpose.
 */
export async function hubDatabase(): Promise<HubDatabase> {
  const server = await serviceAvailable('postgres');
  if (!server) return { env: {}, drop: async () => undefined };
  const { url, drop } = await createTestDatabase(server.value!);
  return { env: { DATABASE_URL: url }, drop };
}
