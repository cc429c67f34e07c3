// The dashboard component of the api role: serves the page built by `npm run build` (web/dist) at
// / and its assets under /assets/ (content-hashed names: cached for a year, immutable;
// index.html: revalidated on every load so a deploy is picked up at once). A running hub never
// builds the page: no bundler in production. Without a build it refuses to start, naming the fix.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Component } from '../../core/runtime/context.ts';
import { WEB_DIST_DIR } from '../../web/location.ts';
import { registerDevToken } from './dev-token.ts';

/** Thrown at start when the dashboard was never built. */
export class DashboardNotBuiltError extends Error {
  constructor(distDir: string) {
    super(
      `the dashboard is not built: ${join(distDir, 'index.html')} is missing; run \`npm run build\` ` +
        '(npm ci runs it) or use an image built with it',
    );
    this.name = 'DashboardNotBuiltError';
  }
}

/** Registers / and /assets/ on a server from a built dashboard directory. */
export async function serveDashboard(
  http: FastifyInstance,
  distDir: string,
  options: { mapStyleUrl?: string | null } = {},
): Promise<void> {
  if (!existsSync(join(distDir, 'index.html'))) throw new DashboardNotBuiltError(distDir);
  await http.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: join(distDir, 'assets'),
      prefix: '/assets/',
      index: false,
      maxAge: '365d',
      immutable: true,
    });
    const sendIndex = (_req: unknown, reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', distDir, { cacheControl: false });
    scope.get('/', { schema: { hide: true } }, sendIndex);
    scope.get('/index.html', { schema: { hide: true } }, sendIndex);
    // The installable app (web/src/sw): the worker is revalidated on every check so a new build
    // replaces it; the manifest and icons are small and change only with a build.
    scope.get('/sw.js', { schema: { hide: true } }, (_req, reply) =>
      reply
        .header('cache-control', 'no-cache')
        .type('text/javascript; charset=utf-8')
        .sendFile('sw.js', distDir, { cacheControl: false }),
    );
    // One manifest per page language (Chinese the default), so the installed app is named in it.
    for (const name of ['manifest.webmanifest', 'manifest.en.webmanifest']) {
      scope.get(`/${name}`, { schema: { hide: true } }, (_req, reply) =>
        reply
          .header('cache-control', 'no-cache')
          .type('application/manifest+json')
          .sendFile(name, distDir, { cacheControl: false }),
      );
    }
    await scope.register(fastifyStatic, {
      root: join(distDir, 'icons'),
      prefix: '/icons/',
      index: false,
      decorateReply: false,
      maxAge: '1d',
    });
    // The staff console is a view of the same page; its API routes are what refuse non-staff.
    scope.get('/staff', { schema: { hide: true } }, sendIndex);
    // The map's style (CITYSTREAM_MAP_STYLE_URL), read by the page at start: null means the
    // bundled offline style. Revalidated like index.html, so a reconfigured hub shows at once.
    const mapConfig = { styleUrl: options.mapStyleUrl ?? null };
    scope.get('/map/config.json', { schema: { hide: true } }, (_req, reply) =>
      reply.header('cache-control', 'no-cache').send(mapConfig),
    );
  });
}

const startWeb: Component = async (ctx) => {
  await serveDashboard(ctx.http, WEB_DIST_DIR, { mapStyleUrl: ctx.config.api.http.mapStyleUrl });
  if (ctx.config.demo) registerDevToken(ctx, ctx.logger.child({ component: 'web' }));
  return { async stop() {} };
};

export default startWeb;
