// Start-up benchmark: time from process spawn to the first /readyz 200, CPU used by then, idle
// RSS after readiness and the time SIGTERM takes to a clean exit, per role, for the compiled
// server (`node dist/cli/main.js start`, what `npm start` and the image run) against the old way
// of running the sources through tsx (`node --import tsx cli/main.ts start`).
//   npm run build && node --import tsx bench/startup.ts        (npm run bench:startup)
// Embedded adapters (no KAFKA_BROKERS, INFLUX_URL, DATABASE_URL), demo off, one data directory per
// role, warmed by one untimed start first ("a warm data directory": PGlite initialised, migrated).
// With KAFKA_BROKERS and DATABASE_URL set (eval "$(scripts/services env)") the same again on the
// real servers, as a production process runs: a throw-away database and topic prefix, InfluxDB
// and MQTT as configured. The two ways run alternately, so both see the same machine load.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteTestTopics, testTopicPrefix } from '../test/support/kafka.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { round, writeResults } from './lib/results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROLES = ['ingest', 'stream', 'api', 'ingest,stream,api'] as const;
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
/** How long the hub idles after readiness before its RSS is read. */
const IDLE_MS = 5_000;
const TARGET_READY_MS = 2_000;
const TARGET_STREAM_RSS_MB = 110;
const CLK_TCK = 100; // Linux USER_HZ

const WAYS = {
  compiled: { label: 'compiled (node dist/cli/main.js)', args: ['dist/cli/main.js', 'start'] },
  tsx: {
    label: 'sources via tsx (node --import tsx cli/main.ts)',
    args: ['--import', 'tsx', 'cli/main.ts', 'start'],
  },
} as const;
type Way = keyof typeof WAYS;

interface Run {
  readyMs: number;
  /** user + system CPU seconds of the hub process when /readyz first answered 200 */
  cpuSeconds: number;
  rssMB: number;
  /** RSS of the hub's descendant processes (a compiler or bundler service would show here), after the idle period */
  childRssMB: number;
  /** From SIGTERM to the process's exit (code 0: a clean stop; anything else throws) */
  stopMs: number;
  load1: number;
}

function procStat(pid: number): { ppid: number; cpuSeconds: number; rssPages: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after comm: state(0) ppid(1) ... utime(11) stime(12) ... rss(21)
    return {
      ppid: Number(f[1]),
      cpuSeconds: (Number(f[11]) + Number(f[12])) / CLK_TCK,
      rssPages: Number(f[21]),
    };
  } catch {
    return null;
  }
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

function descendantsRssMB(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s) parents.set(Number(entry), s.ppid);
  }
  const family = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parents) {
      if (family.has(parent) && !family.has(child)) {
        family.add(child);
        grew = true;
      }
    }
  }
  family.delete(pid);
  let total = 0;
  for (const p of family) {
    try {
      total += rssMB(p);
    } catch {
      // exited
    }
  }
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adapter settings: none (embedded), or the real servers' variables. */
type Setup = { name: 'embedded' | 'real servers'; env: Record<string, string> };

async function startOnce(way: Way, roles: string, dataDir: string, port: number, setup: Setup): Promise<Run> {
  const load1 = loadavg()[0]!;
  const t0 = performance.now();
  const child = spawn(process.execPath, [...WAYS[way].args, '--roles', roles], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CITYSTREAM_HTTP_PORT: String(port),
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_DATA_DIR: dataDir,
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_LOG_LEVEL: 'warn',
      ...setup.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit');
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  try {
    let readyMs = NaN;
    let cpuSeconds = NaN;
    while (Number.isNaN(readyMs)) {
      if (exitedEarly) throw new Error(`hub exited before ready:\n${stderr}`);
      if (performance.now() - t0 > 60_000) throw new Error(`hub not ready in 60 s:\n${stderr}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
      if (res?.status === 200) {
        readyMs = performance.now() - t0;
        cpuSeconds = procStat(child.pid!)!.cpuSeconds;
      } else {
        await res?.body?.cancel();
        await sleep(10);
      }
    }
    await sleep(IDLE_MS);
    const idle = { rssMB: round(rssMB(child.pid!)), childRssMB: round(descendantsRssMB(child.pid!)) };
    const stopping = performance.now();
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    if (code !== 0) throw new Error(`hub exited with ${code} after SIGTERM:\n${stderr}`);
    return {
      readyMs: round(readyMs, 0),
      cpuSeconds: round(cpuSeconds, 2),
      ...idle,
      stopMs: round(performance.now() - stopping, 0),
      load1: round(load1, 2),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('bench/startup: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}

const results: { setup: Setup['name']; role: string; way: Way; runs: Run[]; median: Run }[] = [];
const loadBefore = loadavg();
const port = 18_700 + (process.pid % 1000);

const setups: { setup: Setup; cleanup: () => Promise<void> }[] = [
  { setup: { name: 'embedded', env: {} }, cleanup: async () => {} },
];
const { KAFKA_BROKERS, DATABASE_URL } = process.env;
if (KAFKA_BROKERS && DATABASE_URL) {
  const database = await createTestDatabase(DATABASE_URL);
  const prefix = testTopicPrefix('benchstartup');
  const passOn = ['INFLUX_URL', 'INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET', 'MQTT_URL'];
  setups.push({
    setup: {
      name: 'real servers',
      env: {
        KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: database.url,
        ...Object.fromEntries(passOn.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
      },
    },
    cleanup: async () => {
      await deleteTestTopics(KAFKA_BROKERS.split(','), prefix);
      await database.drop();
    },
  });
} else {
  process.stderr.write('KAFKA_BROKERS or DATABASE_URL unset: measuring the embedded adapters only\n');
}

for (const { setup, cleanup } of setups) {
  try {
    await measureSetup(setup);
  } finally {
    await cleanup();
  }
}

async function measureSetup(setup: Setup): Promise<void> {
  for (const roles of ROLES) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
    try {
      await startOnce('compiled', roles, dataDir, port, setup); // warm the data directory (not timed)
      const runs: Record<Way, Run[]> = { compiled: [], tsx: [] };
      for (let i = 0; i < RUNS; i++) {
        const order: Way[] = i % 2 ? ['tsx', 'compiled'] : ['compiled', 'tsx'];
        for (const way of order) {
          const run = await startOnce(way, roles, dataDir, port, setup);
          runs[way].push(run);
          process.stderr.write(
            `${setup.name} ${roles} ${way}: ready ${run.readyMs} ms, RSS ${run.rssMB} MB\n`,
          );
        }
      }
      for (const way of ['compiled', 'tsx'] as Way[]) {
        const r = runs[way];
        results.push({
          setup: setup.name,
          role: roles === 'ingest,stream,api' ? 'all' : roles,
          way,
          runs: r,
          median: {
            readyMs: median(r.map((x) => x.readyMs)),
            cpuSeconds: median(r.map((x) => x.cpuSeconds)),
            rssMB: median(r.map((x) => x.rssMB)),
            childRssMB: median(r.map((x) => x.childRssMB)),
            stopMs: median(r.map((x) => x.stopMs)),
            load1: median(r.map((x) => x.load1)),
          },
        });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
const loadAfter = loadavg();

const compiled = results.filter((r) => r.way === 'compiled' && r.setup === 'embedded');
const slowest = Math.max(...compiled.map((r) => r.median.readyMs));
const streamRss = compiled.find((r) => r.role === 'stream')!.median.rssMB;
const real = results.filter((r) => r.way === 'compiled' && r.setup === 'real servers');
const realSlowest = real.length ? Math.max(...real.map((r) => r.median.readyMs)) : null;
const verdict = {
  readyUnder2s: slowest < TARGET_READY_MS,
  slowestReadyMs: slowest,
  streamUnder110MB: streamRss < TARGET_STREAM_RSS_MB,
  streamRssMB: streamRss,
  realServersSlowestReadyMs: realSlowest,
};

writeResults(
  'startup',
  'node --import tsx bench/startup.ts',
  { runsPerCell: RUNS, idleMs: IDLE_MS, loadavg: { before: loadBefore, after: loadAfter }, verdict, results },
  [
    {
      title: `Spawn → /readyz 200, idle RSS and SIGTERM → exit, warm data directory (median of ${RUNS} runs)`,
      columns: [
        'adapters',
        'role',
        'how',
        'ready ms',
        'CPU s by ready',
        `RSS MB after ${IDLE_MS / 1000} s idle`,
        'child processes RSS MB',
        'SIGTERM → exit ms',
        'load (1 min)',
      ],
      rows: results.map((r) => [
        r.setup,
        r.role,
        WAYS[r.way].label,
        r.median.readyMs,
        r.median.cpuSeconds,
        r.median.rssMB,
        r.median.childRssMB,
        r.median.stopMs,
        r.median.load1,
      ]),
    },
  ],
  [
    `Targets (docs/architecture.md), compiled, embedded adapters: ready in under ${TARGET_READY_MS} ms: ${verdict.readyUnder2s ? 'met' : '**not met**'} (slowest role ${slowest} ms); stream role under ${TARGET_STREAM_RSS_MB} MB RSS idle: ${verdict.streamUnder110MB ? 'met' : '**not met**'} (${streamRss} MB).`,
    ...(realSlowest === null
      ? []
      : [
          `Compiled on the real servers: slowest role ready in ${realSlowest} ms (${realSlowest < TARGET_READY_MS ? 'under' : '**over**'} ${TARGET_READY_MS} ms).`,
        ]),
    `Load average before ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min); the machine is shared.`,
    'CITYSTREAM_DEMO=0, log level warn; each role has its own data directory, started once untimed before the measured runs. Embedded: in-process bus, PGlite and the embedded time-series store under the data directory. Real servers: Kafka, PostgreSQL (a throw-away database), InfluxDB and Mosquitto from scripts/services on 127.0.0.1.',
    'Ready: from spawn() to the first 200 of GET /readyz, polled every 10 ms. CPU: utime+stime of the hub process at that moment. RSS: VmRSS of the hub process.',
    'Child processes: total RSS of every process the hub started, after the idle period, to catch a compiler or bundler service left running under the hub.',
    'SIGTERM → exit: from the signal until the process exited with code 0 (HTTP closed, consumers stopped and committed, bus and database closed); a run that exits otherwise fails the benchmark.',
  ],
);
