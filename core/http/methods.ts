// 405 instead of 404 when the path exists under other methods: a route table kept beside fastify's
// own (which answers only "this method and path"), filled by an onRoute hook, consulted only when
// fastify found no route, so matched requests pay nothing.
import FindMyWay from 'find-my-way';
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { HttpProblem, sendProblem } from './problem.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Call before any route is added; replaces the not-found handler. */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const table = FindMyWay({ ignoreTrailingSlash: false });
  app.addHook('onRoute', (route: RouteOptions) => {
    // A catch-all (CORS preflight `OPTIONS *`) says nothing about which paths exist.
    if (route.url === '*' || route.url === '/*') return;
    const methods = ([] as HTTPMethods[]).concat(route.method).map((m) => m.toUpperCase());
    for (const m of METHODS) {
      if (methods.includes(m) && !table.hasRoute(m, route.url)) table.on(m, route.url, () => undefined);
    }
  });
  // In onRequest, before any body is read: QUERY and other body-carrying methods on an unknown
  // route would otherwise fail on their missing Content-Type (400) before the not-found handler.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0]!;
    const allowed = METHODS.filter((m) => m !== request.method && table.find(m, path) !== null);
    if (allowed.length === 0) return;
    return sendProblem(
      reply.header('allow', allowed.join(', ')),
      request,
      new HttpProblem(
        405,
        'Method Not Allowed',
        `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      ),
    );
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    return sendProblem(
      reply,
      request,
      new HttpProblem(404, 'Not Found', `no route for ${request.method} ${path}`, {
        code: 'route_not_found',
      }),
    );
  });
}
