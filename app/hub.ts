// The composition root: one process of the hub builds the shared resources from the config, starts the configured
// roles on them, and shuts everything down in the order that loses nothing.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createTokenVerifier } from '../core/auth/index.ts';
import { createBus } from '../core/bus/index.ts';
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
} from '../core/http/index.ts';
import { createLogger, createMetrics } from '../core/observability/index.ts';
import { openTimeSeries, type TimeSeriesStore } from '../core/timeseries/index.ts';
import type { Component, HubContext, Running } from '../core/runtime/context.ts';
import { MIGRATION_DIRS } from './modules.ts';

const ROLE_MODULES: Record<Role, () => Promise<{ default: Component }>> = {
  ingest: () => import('./roles/ingest.ts'),
  stream: () => import('./roles/stream.ts'),
  api: () => import('./roles/api.ts'),
};

export class Hub {
  readonly ctx: HubContext;
  private readonly roles: { role: Role; running: Running }[];
  private readonly closeDb: () => Promise<void>;

  private constructor(
    ctx: HubContext,
    roles: { role: Role; running: Running }[],
    closeDb: () => Promise<void>,
  ) {
    this.ctx = ctx;
    this.roles = roles;
    this.closeDb = closeDb;
  }

  get port(): number {
    return (this.ctx.http.server.address() as AddressInfo).port;
  }

  static async start(config: Config, options: { logger?: Logger } = {}): Promise<Hub> {
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
    const bus = createBus(config.bus, { logger, metrics: metrics.bus });
    await bus.start();
    readiness.add(config.bus.kind === 'kafka' ? 'kafka' : 'bus', () => bus.health());

    let dbPromise: Promise<Db> | null = null;
    const db = () =>
      (dbPromise ??= (async () => {
        const d = await openDb(config);
        const applied = await migrate(d, readMigrations(MIGRATION_DIRS));
        if (applied.length) logger.info({ applied }, 'applied database migrations');
        readiness.add(d.kind === 'postgres' ? 'postgres' : 'pglite', () => d.health());
        return d;
      })());

    let tsPromise: Promise<TimeSeriesStore> | null = null;
    const timeseries = () =>
      (tsPromise ??= (async () => {
        const store = await openTimeSeries(config, db);
        readiness.add(store.kind === 'influxdb' ? 'influxdb' : 'timeseries', () => store.health());
        return store;
      })());

    const http = await createHttpServer({
      logger,
      metrics,
      readiness,
      policy: config.api.http,
      apiKeys: config.auth.apiKeys,
      idempotency: dbIdempotencyStore(db),
    });
    const tokens = createTokenVerifier(config.auth);
    const guards = createGuards(tokens, config.auth.apiKeys);
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
      if (dbPromise) await (await dbPromise).close();
    };
    try {
      for (const role of config.roles) {
        const start = (await ROLE_MODULES[role]()).default;
        roles.push({ role, running: await start({ ...ctx, logger: logger.child({ role }) }) });
      }
      await http.listen({ host: config.http.host, port: config.http.port });
    } catch (err) {
      await new Hub(ctx, roles, closeDb).stop();
      throw err;
    }
    logger.info(
      { roles: config.roles, port: (http.server.address() as AddressInfo).port, bus: bus.kind },
      'citystream is up',
    );
    return new Hub(ctx, roles, closeDb);
  }

  private stopping: Promise<void> | null = null;

  /** Stop accepting, let roles drain and flush, commit consumer offsets, close stores. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { logger, http, bus } = this.ctx;
      logger.info('stopping citystream');
      const closing = http.close();
      for (const { role, running } of [...this.roles].reverse()) {
        try {
          await running.stop();
        } catch (err) {
          logger.error({ err, role }, 'role failed to stop cleanly');
        }
      }
      await closing;
      await bus.close();
      await this.closeDb();
      logger.info('citystream stopped');
    })();
    return this.stopping;
  }
}
