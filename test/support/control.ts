// Stops and starts the real servers from inside a fault test, the way an outage happens.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const SERVICES = fileURLToPath(new URL('../../scripts/services', import.meta.url));
const run = promisify(execFile);

export type ServiceName = 'kafka' | 'postgres' | 'mosquitto' | 'influxdb';

export async function stopService(name: ServiceName): Promise<void> {
  await run(SERVICES, ['down', name], { timeout: 120_000 });
}

export async function startService(name: ServiceName): Promise<void> {
  await run(SERVICES, ['up', name], { timeout: 300_000 });
}

const INFLUX_SH = fileURLToPath(new URL('../../infra/influxdb/influx.sh', import.meta.url));

/** An InfluxDB server of one test's own: the same build as the shared one, its own port and data. */
export interface PrivateInfluxd {
  /** Its address, token, org and bucket (the ones infra/influxdb/influx.sh sets up). */
  config: { url: string; token: string; org: string; bucket: string };
  /** Stops the server process (SIGTERM, as `scripts/services down` does). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts a private influxd, so a test can really stop and start its time-series server without
 * taking the shared one away from the suites running beside it.
 */
export async function startPrivateInfluxd(): Promise<PrivateInfluxd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'citystream-influxd-'));
  const port = await freePort();
  const env = { ...process.env, INFLUX_PORT: String(port), INFLUX_DATA_DIR: dataDir };
  const influx = async (command: 'up' | 'down' | 'env') =>
    (await run('bash', [INFLUX_SH, command], { env, timeout: 300_000 })).stdout;
  await influx('up');
  const exported = Object.fromEntries(
    [...(await influx('env')).matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  return {
    config: {
      url: exported.INFLUX_URL!,
      token: exported.INFLUX_TOKEN!,
      org: exported.INFLUX_ORG!,
      bucket: exported.INFLUX_BUCKET!,
    },
    stop: async () => void (await influx('down')),
    start: async () => void (await influx('up')),
    destroy: async () => {
      await influx('down');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Kafka broker of one test's own: the same jars and settings as the shared one, its own ports and data. */
export interface PrivateKafka {
  /** host:port of its listener. */
  broker: string;
  /** False between stop() and the next start(). */
  readonly running: boolean;
  /** Stops the broker (SIGTERM, a controlled shutdown, as `scripts/services down kafka` does). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, and waits until it serves requests. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts a private single-node Kafka through scripts/services, so a fault test can really stop
 * and restart its broker while the suites beside it keep the shared one (the JVM start costs
 * about 10 s of CPU, less than the run spent with the other files held back for that test).
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'citystream-kafka-'));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const env = {
    ...process.env,
    CITYSTREAM_SERVICES_DIR: dir,
    CITYSTREAM_KAFKA_PORT: String(port),
    CITYSTREAM_KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  const services = async (command: 'up' | 'down') =>
    void (await run(SERVICES, [command, 'kafka'], { env, timeout: 300_000 }));
  await services('up');
  let running = true;
  return {
    broker: `127.0.0.1:${port}`,
    get running() {
      return running;
    },
    stop: async () => {
      running = false;
      await services('down');
    },
    start: async () => {
      await services('up');
      running = true;
    },
    destroy: async () => {
      running = false;
      await services('down');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
