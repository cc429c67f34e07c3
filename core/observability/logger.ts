import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Fields holding personal data: masked wherever they appear in a logged object (up to 4 deep). */
const PERSONAL_FIELDS = [
  'idNumber',
  'phone',
  'email',
  'patient_id_number',
  'patient_phone',
  'passenger_id_number',
  'reporter_phone',
  'reporter_email',
  'authorization',
  'x-api-key',
];
const REDACT_PATHS = PERSONAL_FIELDS.flatMap((f) =>
  ['', '*', '*.*', '*.*.*'].map((prefix) => `${prefix}[${JSON.stringify(f)}]`),
);

/** Runs of 6+ digits (identity numbers, phone numbers, account numbers) in free text. */
const LONG_NUMBER = /\+?\d(?:[ -]?\d){5,}[Xx]?/g;
const scrub = (s: unknown) => (typeof s === 'string' ? s.replace(LONG_NUMBER, '[number]') : s);

/**
 * Errors as logged: name, message, stack, and the database's classification (code, table,
 * constraint) without what it quotes back. node-postgres puts row values in `detail` ("Failing
 * row contains (...)", "Key (...)=(...)"), PGlite attaches the statement's `params`: neither is
 * logged, and numbers that could be identity or phone numbers are masked in the message.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: e.name,
    message: scrub(e.message),
    stack: scrub(e.stack),
  };
  for (const k of ['code', 'severity', 'table', 'column', 'constraint', 'routine', 'statusCode']) {
    if (e[k] !== undefined && e[k] !== null) out[k] = e[k];
  }
  if (e.cause !== undefined) out.cause = serializeError(e.cause);
  return out;
}

/**
 * JSON lines on stdout (pino's default), one logger per process with child loggers per component.
 * `destination` replaces stdout (tests capture the lines).
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'citystream', ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** For tests and tools that must stay quiet unless something breaks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
