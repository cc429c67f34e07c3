// What every route module of the city-services API is given.
import type { ApiConfig } from '../../core/config/index.ts';
import type { Db } from '../../core/db/types.ts';
import type { Guards, HttpServer, LookupLimiter } from '../../core/http/index.ts';
import type { Logger } from 'pino';

export interface ApiDeps {
  app: HttpServer;
  db: Db;
  guards: Guards;
  /** Fine and bill lookups (and payments proving them) per user and per IP. */
  lookups: LookupLimiter;
  config: ApiConfig;
  logger: Logger;
  /** Wakes the outbox relay after a commit so events leave without waiting for the next poll. */
  nudge: () => void;
}
