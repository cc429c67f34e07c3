// Helpers for a gateway run with CITYSTREAM_STREAM_WORKERS (test/stream-workers, bench/ws-workers).
import type { HubProcess } from './hub-process.ts';

/** Pids of the workers that logged "citystream is up" (instance ids end in the pid). */
export function workerPids(hub: HubProcess): number[] {
  return hub.logs
    .filter((l) => l.includes('"citystream is up"'))
    .map((l) => Number((JSON.parse(l) as { instance: string }).instance.split('-').pop()));
}
