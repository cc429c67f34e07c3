import type { Logger } from 'pino';
import type { ApiKeyRegistry, TokenVerifier } from '../auth/index.ts';
import type { Bus } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Config, Role } from '../config/index.ts';
import type { Seeder } from '../db/seed.ts';
import type { Db } from '../db/index.ts';
import type { LocalCameras } from '../domain/local-cameras.ts';
import type { Guards, HttpServer, LookupLimiter, Readiness } from '../http/index.ts';
import type { Metrics } from '../observability/index.ts';
import type { TimeSeriesStore } from '../timeseries/index.ts';

/** What a role or component gets from the hub. Shared resources are opened once per process. */
export interface HubContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  bus: Bus;
  http: HttpServer;
  readiness: Readiness;
  tokens: TokenVerifier;
  guards: Guards;
  /** Integrator keys this process accepts: CITYSTREAM_API_KEYS plus the database's, kept current over the bus. */
  apiKeys: ApiKeyRegistry;
  /** Time for ticket holds, payment-intent expiry and retry waits; tests advance a TestClock. */
  clock: Clock;
  /** Snapshots held by this process's camera worker, for this process's camera routes. */
  localCameras: LocalCameras;
  /** Fine and bill lookups (and payments proving them) per user and per IP, one budget per hub. */
  lookups: LookupLimiter;
  /** Wakes the outbox relay after a commit; a no-op until the api role starts the relay. */
  nudgeOutbox(): void;
  /** PostgreSQL or PGlite, migrated, opened on first use. */
  db(): Promise<Db>;
  /** InfluxDB when INFLUX_URL is set, else the embedded store on db(); opened on first use. */
  timeseries(): Promise<TimeSeriesStore>;
}

export interface Running {
  stop(): Promise<void>;
}

/** A piece of a role: starts its work and returns how to stop it. */
export type Component = (ctx: HubContext) => Promise<Running>;

/**
 * A component whose code is imported when its role starts: a process running other roles never
 * loads it (the stream role, for one, has no use for ffmpeg's or the dashboard's modules).
 */
export function lazyComponent(load: () => Promise<Component>): Component {
  return async (ctx) => (await load())(ctx);
}

/**
 * A feature module (modules/<area>/index.ts) as app/ assembles it: its components per role and
 * its demo seeders. Its SQL migrations sit in modules/<area>/migrations (app/migrations.ts).
 */
export interface FeatureModule {
  name: string;
  /** Demo data, seeded in module-list order when demo mode is on. */
  seeders?: readonly Seeder[];
  components: Partial<Record<Role, Component>>;
}

/** Starts components in order; stops them in reverse, each given the chance to finish. */
export async function startComponents(ctx: HubContext, components: readonly Component[]): Promise<Running> {
  const started: Running[] = [];
  try {
    for (const c of components) started.push(await c(ctx));
  } catch (err) {
    for (const r of started.reverse()) await r.stop().catch(() => undefined);
    throw err;
  }
  return {
    async stop() {
      for (const r of [...started].reverse()) {
        try {
          await r.stop();
        } catch (err) {
          ctx.logger.error({ err }, 'component failed to stop cleanly');
        }
      }
    },
  };
}
