// Runs `citystream start` as a real child process, as an operator would, and learns its port
// from the "citystream is up" log line. It runs the compiled server (dist/), as `npm start` does;
// the vitest global setup (test/support/server-build.ts) rebuilds dist/ from the sources whenever
// they changed, so a test run always checks the code as it is now. cliArgs runs the sources under
// tsx instead (the benchmarks, and the tests of the development command line).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { hubDatabase } from './postgres.ts';
import { DIST_CLI } from './server-build.ts';

export const CLI_SOURCE = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/** Node arguments that run the compiled `citystream` command with `args`. */
export function builtCliArgs(...args: string[]): string[] {
  return [DIST_CLI, ...args];
}

/** Node arguments that run the `citystream` command from the sources (under tsx) with `args`. */
export function cliArgs(...args: string[]): string[] {
  return ['--import', 'tsx', CLI_SOURCE, ...args];
}

/**
 * Demo mode without the demo cameras (CITYSTREAM_CAMERAS_DEMO=0), for tests that look at no
 * camera: their three ffmpeg sources and pipelines cost about a fifth of a core per hub.
 */
export const DEMO_WITHOUT_CAMERAS = { CITYSTREAM_DEMO: '1', CITYSTREAM_CAMERAS_DEMO: '0' } as const;

export interface HubProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every log line so far (JSON lines from pino, plus anything on stderr). */
  logs: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// Hubs still running when the test process ends are killed then, so a file whose setup failed
// after its hub started (a Promise.all with a browser launch that threw) leaves none behind.
// Seen without this: ten hubs outliving a failed run, each still spending 0.1-0.15 of a core
// (a demo hub on Kafka runs its feeds and cameras). vitest ends its worker processes with
// SIGTERM, which skips 'exit' listeners unless the signal is handled.
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', killRunning);
process.once('SIGTERM', () => {
  killRunning();
  process.exit(143);
});

export async function startHub(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
  /** Node arguments and working directory of the process; the compiled `start` unless given. */
  launch: { args: string[]; cwd?: string } = { args: builtCliArgs('start') },
): Promise<HubProcess> {
  const child = spawn(process.execPath, launch.args, {
    // TMPDIR: the run's temp directory (test/support/temp-dir.ts), removed when the run ends
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      CITYSTREAM_HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: string[] = [];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`hub did not start within ${timeoutMs} ms:\n${logs.join('\n')}`)),
      timeoutMs,
    );
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        if (line.includes('"citystream is up"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before starting:\n${logs.join('\n')}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/**
 * startHub on a fresh database of its own, for a test that does not care which one (hubDatabase
 * in ./postgres.ts: the shared PostgreSQL when it answers, else PGlite); stop() drops it once the
 * hub has exited.
 */
export async function startHubOnAnyDatabase(env: Record<string, string | undefined>): Promise<HubProcess> {
  const db = await hubDatabase();
  let hub: HubProcess;
  try {
    hub = await startHub({ ...env, ...db.env });
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    ...hub,
    async stop(signal) {
      const code = await hub.stop(signal);
      await db.drop();
      return code;
    },
  };
}
