// An in-process hub running the api role on a real PostgreSQL database (fresh per file) or on
// PGlite, with helpers to mint tokens, call the API over real HTTP, and plant fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import { mintToken } from '../../core/auth/index.ts';
import { loadConfig } from '../../core/config/index.ts';
import type { Db } from '../../core/db/index.ts';
import { Hub } from '../../app/hub.ts';
import type { Backend } from './postgres.ts';

// Which database a harness runs on is chosen in ./postgres.ts; the api suites import it from here.
export { anyBackend, backends, type Backend } from './postgres.ts';

/** Outside demo mode the public dev secret is refused, so test hubs get a secret of their own. */
export const TEST_JWT_SECRET = 'citystream-test-secret-0123456789abcdef';

export interface ApiHarness {
  hub: Hub;
  db: Db;
  url: string;
  token(sub: string, role?: 'citizen' | 'staff'): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of any route; tests check it with expect()
  ): Promise<{ status: number; headers: Headers; body: any }>;
  stop(): Promise<void>;
}

export async function startApi(
  backend: Backend,
  env: Record<string, string> = {},
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<ApiHarness> {
  const { databaseUrl, cleanup } = await backend.prepare();
  const dataDir = mkdtempSync(join(tmpdir(), 'citystream-api-'));
  const config = loadConfig({
    CITYSTREAM_ROLES: 'api',
    CITYSTREAM_HTTP_HOST: '127.0.0.1',
    CITYSTREAM_HTTP_PORT: '0',
    CITYSTREAM_DATA_DIR: dataDir,
    CITYSTREAM_DEMO: '0',
    CITYSTREAM_LOG_LEVEL: 'error',
    CITYSTREAM_RATE_LIMIT_PER_MINUTE: '1000000',
    CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE: '1000000',
    CITYSTREAM_OUTBOX_POLL_MS: '50',
    CITYSTREAM_JWT_SECRET: TEST_JWT_SECRET,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const hub = await Hub.start(config, options);
  const db = await hub.ctx.db();
  const url = `http://127.0.0.1:${hub.port}`;
  return {
    hub,
    db,
    url,
    token: (sub, role = 'citizen') =>
      mintToken(config.auth.kind === 'hs256' ? config.auth.secret : TEST_JWT_SECRET, { sub, role }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async stop() {
      await hub.stop();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Minimal fixtures: one hospital/department/doctor with a slot, a departure with seats, a fine, a bill. */
export async function plantFixtures(db: Db, options: { slotCapacity?: number; seats?: number } = {}) {
  await db.exec(`
    INSERT INTO hospitals (id, city, name, grade, address, lat, lon) VALUES ('h1', 'shenzhen', 'Test Hospital', 'Grade III-A', '1 Test Rd', 22.55, 114.05);
    INSERT INTO departments (id, hospital_id, name) VALUES ('h1-card', 'h1', 'Cardiology');
    INSERT INTO doctors (id, department_id, name, title, specialty) VALUES ('h1-card-dr1', 'h1-card', 'Dr Chen Wei', 'Chief Physician', 'Cardiology');
    INSERT INTO departures (id, mode, operator, service_no, from_city, to_city, from_station, to_station, depart_at, arrive_at, price)
      VALUES ('dep1', 'rail', 'Test Rail', 'G1', 'guangzhou', 'shenzhen', 'Guangzhou South', 'Shenzhen North', now() + interval '2 days', now() + interval '2 days 35 minutes', '74.50');
    INSERT INTO traffic_fines (id, city, plate, engine_no, offence, location, occurred_at, amount, points)
      VALUES ('fine1', 'shenzhen', '粤B12345', 'LFV2A21K8A3045128', 'Running a red light', 'Shennan Blvd', now() - interval '3 days', '200.00', 6);
    INSERT INTO electricity_accounts (account_no, city, holder_masked, address_masked) VALUES ('0755100200301', 'shenzhen', 'Chen *wei', 'Futian ****');
    INSERT INTO electricity_bills (id, account_no, period, kwh, amount, due_date) VALUES ('bill1', '0755100200301', '2026-10', 320, '217.60', '2026-11-15');
  `);
  await db.query(
    `INSERT INTO slots (id, doctor_id, start_at, end_at, capacity, fee) VALUES ('slot1', 'h1-card-dr1', now() + interval '1 day', now() + interval '1 day 30 minutes', $1, '50.00')`,
    [options.slotCapacity ?? 3],
  );
  await db.query(
    `INSERT INTO seats (departure_id, seat_no, class) SELECT 'dep1', lpad(n::text, 2, '0') || 'A', 'second' FROM generate_series(1, $1::int) AS n`,
    [options.seats ?? 1],
  );
}
