// Booking benchmark: contended appointment booking over HTTP against a real `citystream start`
// process (api role), next to a plain SQL transaction loop doing the same booking as a baseline.
//   npm run bench:api        (PostgreSQL part needs DATABASE_URL, e.g. eval "$(scripts/services env)")
// Contention: every request books one of HOT_SLOTS slots, so requests queue on the same rows.
// Each booking is the full path: JWT check, validation, Idempotency-Key reservation, the guarded
// slot UPDATE, the appointment INSERT, the outbox INSERT, the stored idempotent response.
// Latency of the fixed-rate run is measured from each request's scheduled send time, so a
// stalled server shows up in p99 instead of silently lowering the offered rate.
import { MIGRATION_DIRS } from '../app/modules.ts';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, readMigrations } from '../core/db/index.ts';
import { PgliteDb } from '../core/db/pglite.ts';
import { mintToken } from '../core/auth/index.ts';
import { startHub, type HubProcess } from '../test/support/hub-process.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { percentile, round, writeResults } from './lib/results.ts';

/** The hub under test verifies tokens with this; outside demo mode the public dev secret is refused. */
const BENCH_JWT_SECRET = 'citystream-bench-secret-0123456789abcdef';

const HOT_SLOTS = 5;
const RATE = Number(process.env.BENCH_API_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONCURRENCY = 64;

interface Run {
  backend: string;
  mode: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  created: number;
  full: number;
  errors: number;
}

async function plant(
  client: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
  capacity: number,
) {
  await client.query(
    `INSERT INTO hospitals (id, city, name, grade, address, lat, lon) VALUES ('bh', 'shenzhen', 'Bench Hospital', 'Grade III-A', '1 Bench Rd', 22.55, 114.05)`,
  );
  await client.query(`INSERT INTO departments (id, hospital_id, name) VALUES ('bh-d', 'bh', 'Cardiology')`);
  await client.query(
    `INSERT INTO doctors (id, department_id, name, title, specialty) VALUES ('bh-d-1', 'bh-d', 'Dr Bench', 'Chief Physician', 'Cardiology')`,
  );
  await client.query(
    `INSERT INTO slots (id, doctor_id, start_at, end_at, capacity, fee)
     SELECT 'bslot' || n, 'bh-d-1', now() + interval '1 day', now() + interval '1 day 30 minutes', $1, '50.00'
     FROM generate_series(1, ${HOT_SLOTS}) AS n`,
    [capacity],
  );
}

function summarise(
  backend: string,
  mode: string,
  latencies: number[],
  seconds: number,
  statuses: number[],
): Run {
  latencies.sort((a, b) => a - b);
  return {
    backend,
    mode,
    requests: latencies.length,
    seconds: round(seconds, 2),
    perSecond: round(latencies.length / seconds, 0),
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    created: statuses.filter((s) => s === 201).length,
    full: statuses.filter((s) => s === 409).length,
    errors: statuses.filter((s) => s !== 201 && s !== 409).length,
  };
}

async function httpRuns(backend: string, hub: HubProcess): Promise<Run[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const tokens = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      mintToken(BENCH_JWT_SECRET, { sub: `bench-${i}`, role: 'citizen' }),
    ),
  );
  let seq = 0;
  const book = async (): Promise<number> => {
    const i = seq++;
    const body = JSON.stringify({
      slotId: `bslot${(i % HOT_SLOTS) + 1}`,
      patient: { name: `Bench ${i}`, idNumber: `B${String(i).padStart(12, '0')}`, phone: '13800138000' },
    });
    return new Promise<number>((resolve, reject) => {
      const req = request(
        `${hub.url}/v1/appointments`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${tokens[i % tokens.length]}`,
            'idempotency-key': randomUUID(),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  // Warm-up: JIT, connection pools.
  await Promise.all(Array.from({ length: 200 }, book));

  // Fixed offered rate.
  const latencies: number[] = [];
  const statuses: number[] = [];
  const total = RATE * SECONDS;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      book().then((status) => {
        latencies.push(performance.now() - due);
        statuses.push(status);
      }),
    );
  }
  await Promise.all(inflight);
  const fixed = summarise(
    backend,
    `HTTP, ${RATE} req/s offered`,
    latencies,
    (performance.now() - t0) / 1000,
    statuses,
  );

  // Saturation: CONCURRENCY clients back to back.
  const satLat: number[] = [];
  const satStatus: number[] = [];
  const s0 = performance.now();
  const end = s0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        satStatus.push(await book());
        satLat.push(performance.now() - t);
      }
    }),
  );
  const saturated = summarise(
    backend,
    `HTTP, ${CONCURRENCY} clients closed loop`,
    satLat,
    (performance.now() - s0) / 1000,
    satStatus,
  );
  agent.destroy();
  return [fixed, saturated];
}

/** The same booking as one SQL transaction per request, no HTTP: what the database alone allows. */
async function sqlBaseline(url: string): Promise<Run> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  const lat: number[] = [];
  const statuses: number[] = [];
  let seq = 0;
  const s0 = performance.now();
  const end = s0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const i = seq++;
        const t = performance.now();
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          // The statements of the API's booking, in its order: read the slot, insert the
          // appointment and its outbox row, take the place last (shortest lock on the hot row).
          const slotId = `bslot${(i % HOT_SLOTS) + 1}`;
          const slot = await c.query<{ fee: string }>(
            `SELECT s.fee FROM slots s JOIN doctors d ON d.id = s.doctor_id JOIN departments dep ON dep.id = d.department_id
             JOIN hospitals h ON h.id = dep.hospital_id WHERE s.id = $1`,
            [slotId],
          );
          const id = `sql_${i}_${randomUUID()}`;
          await c.query(
            `INSERT INTO appointments (id, slot_id, user_id, patient_name, patient_id_number, patient_phone, status, fee)
             VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7)`,
            [
              id,
              slotId,
              `sql-${i}`,
              `Bench ${i}`,
              `S${String(i).padStart(12, '0')}`,
              '13800138000',
              slot.rows[0]!.fee,
            ],
          );
          await c.query(`INSERT INTO outbox (topic, key, event) VALUES ('bookings.v1', $1, '{}'::jsonb)`, [
            `sql-${i}`,
          ]);
          const r = await c.query(
            `UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity`,
            [slotId],
          );
          await c.query(r.rowCount === 1 ? 'COMMIT' : 'ROLLBACK');
          statuses.push(r.rowCount === 1 ? 201 : 409);
        } catch (err) {
          await c.query('ROLLBACK');
          throw err;
        } finally {
          c.release();
        }
        lat.push(performance.now() - t);
      }
    }),
  );
  await pool.end();
  return summarise(
    'postgres',
    `plain SQL transaction, ${CONCURRENCY} clients`,
    lat,
    (performance.now() - s0) / 1000,
    statuses,
  );
}

async function main() {
  const loadAtStart = loadavg()[0]!;
  const runs: Run[] = [];
  const env = {
    CITYSTREAM_ROLES: 'api',
    CITYSTREAM_DEMO: '0',
    CITYSTREAM_JWT_SECRET: BENCH_JWT_SECRET,
    CITYSTREAM_LOG_LEVEL: 'info', // startHub waits for the "citystream is up" info line
    CITYSTREAM_RATE_LIMIT_PER_MINUTE: '100000000',
  };
  const server = process.env.DATABASE_URL;
  if (server) {
    const { url, drop } = await createTestDatabase(server);
    const hub = await startHub({
      ...env,
      DATABASE_URL: url,
      CITYSTREAM_DATA_DIR: `/tmp/bench-api-${process.pid}`,
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await plant(client, 10_000_000);
      runs.push(...(await httpRuns('postgres', hub)));
      // The baseline runs alone: no hub (and no relay) competing for the database.
      await hub.stop();
      runs.push(await sqlBaseline(url));
      const { rows } = await client.query<{ booked: number; apts: number }>(
        `SELECT (SELECT sum(booked) FROM slots)::int AS booked, (SELECT count(*) FROM appointments WHERE status = 'booked')::int AS apts`,
      );
      if (rows[0]!.booked !== rows[0]!.apts) throw new Error(`double booking: ${JSON.stringify(rows[0])}`);
    } finally {
      await client.end();
      await hub.stop();
      await drop();
    }
  } else {
    process.stderr.write(
      'DATABASE_URL unset: skipping the PostgreSQL runs (eval "$(scripts/services env)")\n',
    );
  }
  if (process.env.BENCH_API_PGLITE !== '0') {
    // PGlite lives inside the hub process: plant the slots in its data dir before the hub opens it.
    const dir = `/tmp/bench-api-pglite-${process.pid}`;
    const db = await PgliteDb.open(join(dir, 'pglite'));
    await migrate(db, readMigrations(MIGRATION_DIRS));
    await plant(db, 10_000_000);
    await db.close();
    const hub = await startHub({ ...env, CITYSTREAM_DATA_DIR: dir });
    try {
      runs.push(...(await httpRuns('pglite', hub)));
    } finally {
      await hub.stop();
    }
    const after = await PgliteDb.open(join(dir, 'pglite'));
    const { rows } = await after.query<{ booked: number; apts: number }>(
      `SELECT (SELECT sum(booked) FROM slots)::int AS booked, (SELECT count(*) FROM appointments WHERE status = 'booked')::int AS apts`,
    );
    await after.close();
    rmSync(dir, { recursive: true, force: true });
    if (rows[0]!.booked !== rows[0]!.apts) throw new Error(`double booking: ${JSON.stringify(rows[0])}`);
  }
  writeResults(
    'api',
    'npm run bench:api',
    { hotSlots: HOT_SLOTS, rate: RATE, seconds: SECONDS, runs },
    [
      {
        title: `Contended booking (${HOT_SLOTS} hot slots, ${SECONDS} s per run)`,
        columns: ['backend', 'mode', 'requests', 'req/s', 'p50 ms', 'p99 ms', '201', '409', 'other'],
        rows: runs.map((r) => [
          r.backend,
          r.mode,
          r.requests,
          r.perSecond,
          r.p50,
          r.p99,
          r.created,
          r.full,
          r.errors,
        ]),
      },
    ],
    [
      'Target (docs/architecture.md): contended booking p99 < 50 ms at 500 requests/s; never a double booking (checked after the run).',
      'The load generator runs on the same 2-core machine as the server and the database.',
      `1-minute load average at start: ${loadAtStart.toFixed(1)} (figures from a busy machine are not the product's).`,
    ],
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
