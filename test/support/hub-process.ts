// Runs `citystream start` as a real child process, as an operator would, and learns its port
// from the "citystream is up" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../cli/citystream.mjs', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every log line so far (JSON lines from pino, plus anything on stderr). */
  logs: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startHub(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CITYSTREAM_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
