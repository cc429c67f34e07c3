import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout (pino's default), one logger per process with child loggers per component. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'citystream', ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** For tests and tools that must stay quiet unless something breaks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
