import { z } from 'zod';
import { csv, flag, optionalString, port, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const ROLES = ['ingest', 'stream', 'api'] as const;
export type Role = (typeof ROLES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const processVariables = {
  CITYSTREAM_ROLES: csv.pipe(
    z
      .array(z.enum(ROLES, { error: `expected roles among ${ROLES.join(', ')}` }))
      .min(1)
      .optional(),
  ),
  CITYSTREAM_HTTP_PORT: port(8080),
  CITYSTREAM_HTTP_HOST: optionalString,
  CITYSTREAM_DATA_DIR: optionalString,
  CITYSTREAM_LOG_LEVEL: optionalString.pipe(
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).optional(),
  ),
  CITYSTREAM_DEMO: flag,
  CITYSTREAM_INSTANCE_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected 1-64 characters of letters, digits, . _ -' })
      .optional(),
  ),
  CITYSTREAM_SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 'milliseconds allowed for a graceful stop'),
};

export type ProcessVariables = Parsed<typeof processVariables>;
