// Helpers for a gateway run with CITYSTREAM_STREAM_WORKERS (test/stream-workers, bench/ws-workers).
import { createServer } from 'node:net';
import type { HubProcess } from './hub-process.ts';

/** A port free right now: cluster workers must share a known port, not each take port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Pids of the workers that logged "citystream is up" (instance ids end in the pid). */
export function workerPids(hub: HubProcess): number[] {
  return hub.logs
    .filter((l) => l.includes('"citystream is up"'))
    .map((l) => Number((JSON.parse(l) as { instance: string }).instance.split('-').pop()));
}
