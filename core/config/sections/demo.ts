// Whether this process runs in demo mode (demo sources, seed data, a public dev secret, anyone may
// mint a citizen token). It must never switch on by surprise in a deployment, so it is on only
// when asked for (CITYSTREAM_DEMO=1) or when nothing at all points at a real installation.

/**
 * Settings that mark a real installation: a server, a secret or a key. Any one of them set turns
 * demo mode off unless CITYSTREAM_DEMO=1 says otherwise.
 */
export const DEPLOYMENT_VARIABLES = [
  'KAFKA_BROKERS',
  'INFLUX_URL',
  'INFLUX_TOKEN',
  'DATABASE_URL',
  'MQTT_URL',
  'CITYSTREAM_JWT_SECRET',
  'CITYSTREAM_JWKS_URL',
  'CITYSTREAM_API_KEYS',
  'CITYSTREAM_PAYMENT_WEBHOOK_SECRET',
  'CITYSTREAM_AIR_SOURCES',
  'CITYSTREAM_CAMERAS_FILE',
  'CITYSTREAM_TRUSTED_PROXIES',
] as const;

export interface DemoDecision {
  on: boolean;
  /** Why, for the start-up log line. */
  reason: string;
}

export function decideDemo(
  explicit: boolean | undefined,
  values: Partial<Record<(typeof DEPLOYMENT_VARIABLES)[number], unknown>>,
): DemoDecision {
  if (explicit === true) return { on: true, reason: 'CITYSTREAM_DEMO is on' };
  if (explicit === false) return { on: false, reason: 'CITYSTREAM_DEMO is off' };
  // CITYSTREAM_AIR_SOURCES parses to [] when unset.
  const isSet = (x: unknown) => x !== undefined && !(Array.isArray(x) && x.length === 0);
  const configured = DEPLOYMENT_VARIABLES.filter((name) => isSet(values[name]));
  if (configured.length === 0) {
    return {
      on: true,
      reason: 'nothing is configured (no server, secret or key); set CITYSTREAM_DEMO=0 to stop it',
    };
  }
  return {
    on: false,
    reason: `configured: ${configured.join(', ')}; set CITYSTREAM_DEMO=1 to run the demo anyway`,
  };
}
