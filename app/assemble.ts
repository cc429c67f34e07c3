// The one assembly path of a hub process: shared resources built from the config, the configured
// roles started on them, every route registered, and nothing listening yet. Hub.start (app/hub.ts)
// listens on what this returns; tests call buildApiApp and reach the routes with app.inject().
import type { Logger } from 'pino';
import { ApiKeyRegistry, createTokenVerifier } from '../core/auth/index.ts';
import { createBus, type Bus } from '../core/bus/index.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { redactConfig, type Config, type Role } from '../core/config/index.ts';
import { migrate, openDb, readMigrations, type Db } from '../core/db/index.ts';
import { LocalCameras } from '../core/domain/local-cameras.ts';
import {
  createGuards,
  createHttpServer,
  dbIdempotencyStore,
  LookupLimiter,
  Readiness,
  registerAuth,
  type HttpServer,
} from '../core/http/index.ts';
import { createLogger, createMetrics } from '../core/observability/index.ts';
import { openTimeSeries, type TimeSeriesStore } from '../core/timeseries/index.ts';
import type { HubContext, Running } from '../core/runtime/context.ts';
import { MIGRATION_DIRS } from './migrations.ts';

const ROLE_MODULES: Record<Role, () => Promise<{ default: (ctx: HubContext) => Promise<Running> }>> = {
  ingest: () => import('./roles/ingest.ts'),
  stream: () => import('./roles/stream.ts'),
  api: () => import('./roles/api.ts'),
};

export interface AssembleOptions {
  logger?: Logger;
  /** A database the caller opened and will close (tests: in-memory PGlite); migrated here. */
  db?: Db;
  /** Time for holds, intent expiry and retry waits; default the system clock. */
  clock?: Clock;
}

export interface AssembledHub {
  ctx: HubContext;
  /** Stop accepting, let roles drain and flush, commit consumer offsets, close stores. */
  stop(): Promise<void>;
}

export async function assembleHub(config: Config, options: AssembleOptions = {}): Promise<AssembledHub> {
  const logger = options.logger ?? createLogger(config.logLevel, { instance: config.instanceId });
  logger.info({ config: redactConfig(config) }, 'starting citystream');
  if (config.demo) logger.warn({ reason: config.demoReason }, 'demo mode is on');
  else logger.info({ reason: config.demoReason }, 'demo mode is off');
  if (config.auth.kind === 'hs256' && config.auth.isDevSecret) {
    logger.warn('demo mode: tokens are verified with the public dev secret; anyone can sign them');
  } else if (config.auth.kind === 'none') {
    logger.warn(
      'CITYSTREAM_JWT_SECRET and CITYSTREAM_JWKS_URL are unset: every bearer token is refused (integrator keys still work)',
    );
  }
  const metrics = createMetrics();
  const readiness = new Readiness();
  const given = options.db;
  let dbPromise: Promise<Db> | null = null;
  const db = () =>
    (dbPromise ??= (async () => {
      const d = given ?? (await openDb(config));
      const applied = await migrate(d, readMigrations(MIGRATION_DIRS));
      if (applied.length) logger.info({ applied }, 'applied database migrations');
      readiness.add(d.kind === 'postgres' ? 'postgres' : 'pglite', () => d.health());
      return d;
    })());

  // A database the caller gave is the caller's to close.
  const closeOwnDb = async () => {
    if (dbPromise && !given) await (await dbPromise.catch(() => null))?.close();
  };

  // The ingest and api roles open the database first thing; opening it now lets PGlite's file reads
  // and WebAssembly compile run while the bus, the HTTP server and the roles load. A failure is
  // seen by the role that awaits db().
  if (config.roles.some((role) => role !== 'stream')) void db().catch(() => undefined);

  let bus: Bus;
  try {
    bus = await createBus(config.bus, { logger, metrics: metrics.bus });
    await bus.start();
  } catch (err) {
    await closeOwnDb();
    throw err;
  }
  readiness.add(config.bus.kind === 'kafka' ? 'kafka' : 'bus', () => bus.health());

  let tsPromise: Promise<TimeSeriesStore> | null = null;
  const timeseries = () =>
    (tsPromise ??= (async () => {
      const store = await openTimeSeries(config, db);
      readiness.add(store.kind === 'influxdb' ? 'influxdb' : 'timeseries', () => store.health());
      return store;
    })());

  const apiKeys = new ApiKeyRegistry(config.auth.apiKeys);
  const http = await createHttpServer({
    logger,
    metrics,
    readiness,
    policy: config.api.http,
    apiKeys,
    idempotency: dbIdempotencyStore(db),
  });
  const tokens = createTokenVerifier(config.auth);
  const guards = createGuards(tokens, apiKeys);
  // Before any role adds a route: each API route's config.auth is enforced in onRequest.
  registerAuth(http, guards);
  const ctx: HubContext = {
    config,
    logger,
    metrics,
    bus,
    http,
    readiness,
    tokens,
    guards,
    apiKeys,
    clock: options.clock ?? systemClock,
    localCameras: new LocalCameras(),
    // One budget per hub for fine and bill lookups and the payments that prove them.
    lookups: new LookupLimiter({ perMinute: config.api.http.lookupLimitPerMinute }),
    // The api role's outbox relay replaces this for the city-services modules it starts.
    nudgeOutbox: () => undefined,
    db,
    timeseries,
  };

  const roles: { role: Role; running: Running }[] = [];
  // The time-series store flushes first: the embedded one writes through the database.
  const closeDb = async () => {
    if (tsPromise) await (await tsPromise.catch(() => null))?.close();
    await closeOwnDb();
  };
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping citystream');
      const closing = http.close();
      // Every consumer group is left at once (a Kafka consumer takes about a second to leave);
      // one by one, as the components below stop, seven of them held a hub's exit for 8 s. The
      // components still stop in reverse order, each awaiting its own consumer's stop (and
      // reporting its failure, as bus.close() does for the rest).
      const consumersStopped = bus.stopConsumers().catch(() => undefined);
      for (const { role, running } of [...roles].reverse()) {
        try {
          await running.stop();
        } catch (err) {
          logger.error({ err, role }, 'role failed to stop cleanly');
        }
      }
      await closing;
      await consumersStopped;
      await bus.close();
      await closeDb();
      logger.info('citystream stopped');
    })());

  try {
    for (const role of config.roles) {
      const start = (await ROLE_MODULES[role]()).default;
      roles.push({ role, running: await start({ ...ctx, logger: logger.child({ role }) }) });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ctx, stop };
}

export interface ApiApp {
  /** The fastify app with every API module's routes; not listening: call app.inject(). */
  app: HttpServer;
  ctx: HubContext;
  db: Db;
  stop(): Promise<void>;
}

/** The api role alone, assembled as a hub assembles it, for app.inject() (no socket, no port). */
export async function buildApiApp(options: {
  config: Config;
  db?: Db;
  clock?: Clock;
  logger?: Logger;
}): Promise<ApiApp> {
  const { config, ...rest } = options;
  const hub = await assembleHub({ ...config, roles: ['api'] }, rest);
  try {
    const db = await hub.ctx.db();
    await hub.ctx.http.ready();
    return { app: hub.ctx.http, ctx: hub.ctx, db, stop: () => hub.stop() };
  } catch (err) {
    await hub.stop();
    throw err;
  }
}
