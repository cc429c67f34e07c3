import { readFileSync } from 'node:fs';
import { configSchema, SECRET_VARIABLES, variables, type Config } from './schema.ts';

export interface ConfigProblem {
  variable: string;
  value: string | undefined;
  message: string;
}

/** A configuration that cannot be used. The CLI prints `message` and exits with code 2. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(
      'Invalid configuration:\n' +
        problems
          .map(
            (p) =>
              `  ${p.variable}${p.value === undefined ? ' (unset)' : `=${JSON.stringify(p.value)}`}: ${p.message}`,
          )
          .join('\n'),
    );
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from the environment. When `CITYSTREAM_CONFIG` names a JSON file, its
 * keys (the same variable names) fill in what the environment leaves unset.
 */
export function loadConfig(env: Env = process.env): Config {
  const merged: Env = { ...readConfigFile(env.CITYSTREAM_CONFIG), ...definedOnly(env) };
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'configuration');
      const raw = merged[variable];
      return {
        variable,
        value: raw === undefined ? undefined : SECRET_VARIABLES.has(variable) ? '***' : raw,
        message: issue.message,
      };
    }),
  );
}

function definedOnly(env: Env): Env {
  const out: Env = {};
  for (const key of Object.keys(variables)) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

function readConfigFile(path: string | undefined): Env {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([
      {
        variable: 'CITYSTREAM_CONFIG',
        value: path,
        message: `cannot read a JSON object from it: ${(err as Error).message}`,
      },
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([
      {
        variable: 'CITYSTREAM_CONFIG',
        value: path,
        message: 'expected a JSON object whose keys are variable names',
      },
    ]);
  }
  const out: Env = {};
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in variables)) {
      problems.push({ variable: key, value: undefined, message: `unknown setting in ${path}` });
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = String(value);
    } else {
      problems.push({
        variable: key,
        value: undefined,
        message: `expected a string, number or boolean in ${path}`,
      });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** The effective configuration with secrets masked, for `citystream config` and start-up logs. */
export function redactConfig(config: Config): unknown {
  const maskUrl = (url: string) => {
    try {
      const u = new URL(url);
      if (u.password) u.password = '***';
      return u.toString();
    } catch {
      return '***';
    }
  };
  return {
    ...config,
    influx: config.influx && { ...config.influx, token: '***' },
    database: config.database && { url: maskUrl(config.database.url) },
    mqtt: config.mqtt && { url: maskUrl(config.mqtt.url) },
    auth:
      config.auth.kind === 'hs256'
        ? {
            kind: 'hs256',
            secret: config.auth.isDevSecret ? '(built-in dev secret)' : '***',
            apiKeys: config.auth.apiKeys.map((k) => ({ name: k.name, key: '***' })),
          }
        : { ...config.auth, apiKeys: config.auth.apiKeys.map((k) => ({ name: k.name, key: '***' })) },
    api: {
      ...config.api,
      webhook: {
        ...config.api.webhook,
        secret: config.api.webhook.isDevSecret ? '(built-in dev secret)' : '***',
      },
    },
    push: { ...config.push, vapid: config.push.vapid && { ...config.push.vapid, privateKey: '***' } },
  };
}
