// The dashboard component of the api role: serves the built page at / and its assets under
// /assets/ (content-hashed names: cached for a year, immutable; index.html: revalidated on every
// load so a deploy is picked up at once). Builds web/dist first when it is missing or older than
// its sources, so `npm start` from a checkout always serves the current page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { Component } from '../../core/runtime/context.ts';
import { buildWeb, DIST_DIR, webBuildIsStale } from '../../web/build.ts';
import { registerDevToken } from './dev-token.ts';

const startWeb: Component = async (ctx) => {
  const log = ctx.logger.child({ component: 'web' });
  if (await webBuildIsStale(DIST_DIR)) {
    const t0 = Date.now();
    try {
      const m = await buildWeb();
      log.info(
        { script: m.script, ms: Date.now() - t0 },
        'built the dashboard (web/dist was missing or stale)',
      );
    } catch (err) {
      // A read-only install (the image builds web/dist at image time) still has a usable page.
      if (!existsSync(join(DIST_DIR, 'index.html'))) throw err;
      log.warn({ err }, 'could not rebuild the dashboard; serving the existing web/dist');
    }
  }

  await ctx.http.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: join(DIST_DIR, 'assets'),
      prefix: '/assets/',
      index: false,
      maxAge: '365d',
      immutable: true,
    });
    const sendIndex = (_req: unknown, reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', DIST_DIR, { cacheControl: false });
    scope.get('/', { schema: { hide: true } }, sendIndex);
    scope.get('/index.html', { schema: { hide: true } }, sendIndex);
  });

  if (ctx.config.demo) registerDevToken(ctx, log);
  return { async stop() {} };
};

export default startWeb;
