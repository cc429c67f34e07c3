// Stops and starts the real servers from inside a fault test, the way an outage happens.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SERVICES = fileURLToPath(new URL('../../scripts/services', import.meta.url));
const run = promisify(execFile);

export type ServiceName = 'kafka' | 'postgres' | 'mosquitto' | 'influxdb';

export async function stopService(name: ServiceName): Promise<void> {
  await run(SERVICES, ['down', name], { timeout: 120_000 });
}

export async function startService(name: ServiceName): Promise<void> {
  await run(SERVICES, ['up', name], { timeout: 300_000 });
}
