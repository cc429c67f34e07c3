// Watching a hub child process from outside, as an operator's monitoring would: its RSS and CPU
// time from /proc, and /healthz latency polled on its own keep-alive connection.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { cliArgs } from '../../test/support/hub-process.ts';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of the process in seconds. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

export interface ChildHub {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** The last log lines (kept short: a hub under abuse may log a lot). */
  tail: string[];
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  kill(graceMs?: number): Promise<void>;
}

export async function spawnHub(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildHub> {
  const child = spawn(process.execPath, cliArgs('start'), {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start within ${timeoutMs} ms:\n${tail.join('\n')}`));
    }, timeoutMs);
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!.slice(-10_000);
      for (const line of lines) {
        tail.push(line.slice(0, 2_000));
        if (tail.length > 50) tail.shift();
        if (line.includes('"citystream is up"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void gone.then(() => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${child.exitCode} before starting:\n${tail.join('\n')}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    port,
    base: `http://127.0.0.1:${port}`,
    tail,
    alive: () => !exited,
    async kill(graceMs = 10_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** One GET /healthz with a timeout: latency in ms and whether it answered 200. */
export function healthz(base: string, agent: Agent, timeoutMs: number): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (ok: boolean) => resolve({ ms: performance.now() - started, ok });
    const req = request(`${base}/healthz`, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
      res.on('error', () => done(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(false));
    req.end();
  });
}

export interface ProbeResult {
  peakRssMiB: number;
  worstHealthzMs: number;
  healthzPolls: number;
  healthzFailures: number;
}

/**
 * Polls /healthz every `everyMs` (one request at a time: a slow answer delays the next poll and
 * is itself the measurement) and samples RSS at the same pace, until `stop()`. Runs in a process
 * of its own so the load generator's work in this one is not measured as the hub's latency.
 */
export function probe(hub: ChildHub, everyMs = 50, timeoutMs = 2_000) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./probe-process.ts', import.meta.url)),
      hub.base,
      String(hub.pid),
      String(everyMs),
      String(timeoutMs),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const finished = new Promise<ProbeResult>((resolve, reject) => {
    child.once('message', (r) => resolve(r as ProbeResult));
    child.once('exit', (code) => reject(new Error(`probe exited with ${code} before reporting`)));
  });
  return {
    async stop(): Promise<ProbeResult> {
      child.send('stop');
      return finished;
    },
  };
}
