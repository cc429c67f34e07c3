// Which real services a test run has. Service-backed suites call `serviceAvailable` at collection
// time: unreachable means skip locally, but fail under REQUIRE_SERVICES=1 (CI), so CI can never
// pass on a suite that quietly did not run.
import { connect } from 'node:net';
import { loadConfig } from '../../core/config/index.ts';

export const requireServices = process.env.REQUIRE_SERVICES === '1';

function reachable(host: string, port: number, timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ServiceTarget {
  name: 'kafka' | 'influxdb' | 'postgres' | 'mqtt';
  variable: string;
  value: string | undefined;
  host: string;
  port: number;
}

/** The configured address of each service, from the same config schema the hub uses. */
export function serviceTargets(): Record<ServiceTarget['name'], ServiceTarget | null> {
  const config = loadConfig(process.env);
  const fromUrl = (
    name: ServiceTarget['name'],
    variable: string,
    url: string | undefined,
    defPort: number,
  ) => {
    if (!url) return null;
    const u = new URL(url);
    return { name, variable, value: url, host: u.hostname, port: Number(u.port || defPort) };
  };
  const broker = config.bus.kind === 'kafka' ? config.bus.brokers[0]! : undefined;
  return {
    kafka: broker
      ? {
          name: 'kafka',
          variable: 'KAFKA_BROKERS',
          value: broker,
          host: broker.split(':')[0]!,
          port: Number(broker.split(':')[1]),
        }
      : null,
    influxdb: fromUrl('influxdb', 'INFLUX_URL', config.influx?.url, 8086),
    postgres: fromUrl('postgres', 'DATABASE_URL', config.database?.url, 5432),
    mqtt: fromUrl('mqtt', 'MQTT_URL', config.mqtt?.url, 1883),
  };
}

/**
 * Resolves to the target when the service answers; to null when it is not configured or not
 * reachable and services are optional; throws when REQUIRE_SERVICES=1 and it cannot be reached.
 */
export async function serviceAvailable(name: ServiceTarget['name']): Promise<ServiceTarget | null> {
  const target = serviceTargets()[name];
  if (target && (await reachable(target.host, target.port))) return target;
  if (requireServices) {
    throw new Error(
      target
        ? `REQUIRE_SERVICES=1 but ${name} at ${target.host}:${target.port} (${target.variable}) does not answer; run scripts/services up`
        : `REQUIRE_SERVICES=1 but ${name} is not configured; eval "$(scripts/services env)" first`,
    );
  }
  return null;
}
