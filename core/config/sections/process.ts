import { z } from 'zod';
import { csv, documented, flag, optionalString, port, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const ROLES = ['ingest', 'stream', 'api'] as const;
export type Role = (typeof ROLES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const processVariables = {
  CITYSTREAM_ROLES: documented(
    csv.pipe(
      z
        .array(z.enum(ROLES, { error: `expected roles among ${ROLES.join(', ')}` }))
        .min(1)
        .optional(),
    ),
    {
      description: 'roles this process runs',
      type: `comma-separated list of ${ROLES.map((r) => `\`${r}\``).join(', ')}`,
      default: `\`${ROLES.join(',')}\``,
    },
  ),
  CITYSTREAM_HTTP_PORT: documented(port(8080), { description: 'port of the API, the dashboard and /ws' }),
  CITYSTREAM_HTTP_HOST: documented(optionalString, { description: 'listen address', default: '`0.0.0.0`' }),
  CITYSTREAM_DATA_DIR: documented(optionalString, {
    description: 'embedded bus, time series and PGlite data, camera snapshots',
    type: 'directory path',
    default: '`./data`',
  }),
  CITYSTREAM_LOG_LEVEL: documented(
    optionalString.pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).optional()),
    {
      description: 'pino log level',
      type: `one of ${LOG_LEVELS.map((l) => `\`${l}\``).join(', ')}`,
      default: '`info`',
    },
  ),
  CITYSTREAM_DEMO: documented(flag, {
    description:
      'demo cameras, stations, seed data, demo sign-in and the public dev token secret (docs/operations.md)',
    default: 'on only when no server, secret or key is configured (core/config/sections/demo.ts)',
  }),
  CITYSTREAM_INSTANCE_ID: documented(
    optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected 1-64 characters of letters, digits, . _ -' })
        .optional(),
    ),
    {
      description: "this process's name in logs and consumer ids",
      type: '1-64 letters, digits, `.` `_` `-`',
      default: '`<hostname>-<pid>`',
    },
  ),
  CITYSTREAM_SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 'milliseconds allowed for a graceful stop'),
};

export type ProcessVariables = Parsed<typeof processVariables>;
