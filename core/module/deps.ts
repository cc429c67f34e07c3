// What every route module of the city-services API is given, and the component that hands it over.
import type { Clock } from '../clock.ts';
import type { ApiConfig } from '../config/index.ts';
import type { Db } from '../db/types.ts';
import type { Guards, HttpServer, LookupLimiter } from '../http/index.ts';
import type { Component, HubContext } from '../runtime/context.ts';
import type { Logger } from 'pino';

export interface ApiDeps {
  app: HttpServer;
  db: Db;
  guards: Guards;
  /** Fine and bill lookups (and payments proving them) per user and per IP. */
  lookups: LookupLimiter;
  config: ApiConfig;
  /** Time for ticket holds and payment-intent expiry (a TestClock in tests). */
  clock: Clock;
  logger: Logger;
  /** Wakes the outbox relay after a commit so events leave without waiting for the next poll. */
  nudge: () => void;
}

export async function apiDeps(ctx: HubContext): Promise<ApiDeps> {
  return {
    app: ctx.http,
    db: await ctx.db(),
    guards: ctx.guards,
    lookups: ctx.lookups,
    config: ctx.config.api,
    clock: ctx.clock,
    logger: ctx.logger.child({ component: 'city-services' }),
    nudge: () => ctx.nudgeOutbox(),
  };
}

/**
 * An api-role component that only registers routes, as one fastify plugin under `prefix` (route
 * paths in the module are relative to it). The plugin inherits the server's hooks, error handler
 * and schema compilers; what it decorates stays inside it. Nothing to stop.
 */
export const routesComponent =
  (prefix: string, register: (deps: ApiDeps) => void): Component =>
  async (ctx) => {
    const deps = await apiDeps(ctx);
    // awaited so a route error stops start-up here rather than at listen()
    await ctx.http.register(async (scoped) => register({ ...deps, app: scoped }), {
      prefix,
    });
    return { async stop() {} };
  };
