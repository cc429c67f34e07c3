// The one HTTP server of a process: ops endpoints for every role, the API routes of the api role
// and the /ws upgrade of the stream role all hang off it.
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { ApiKeyRegistry } from '../auth/index.ts';
import type { ApiKey, HttpPolicy } from '../config/index.ts';
import type { Metrics } from '../observability/metrics.ts';
import { memoryIdempotencyStore, registerIdempotency, type IdempotencyStore } from './idempotency.ts';
import { DomainError } from '../errors.ts';
import { registerInputChecks } from './input.ts';
import { documentStatuses } from './openapi.ts';
import { registerMethodNotAllowed } from './methods.ts';
import { lazyRequestLogger } from './request-logger.ts';
import { HttpProblem, problemFor, sendProblem, validationProblem } from './problem.ts';
import type { Readiness } from './readiness.ts';
import { DEFAULT_POLICY, registerSecurity } from './security.ts';

export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Default request body limit in bytes; routes may set their own. */
  bodyLimit?: number;
  /** Rate limit, CORS origins, upload size; defaults suit a same-origin dashboard. */
  policy?: HttpPolicy;
  /** Integrator keys (the bootstrap list, or the process's registry: bootstrap + database keys);
   * their holders are not rate limited per IP. */
  apiKeys?: readonly ApiKey[] | ApiKeyRegistry;
  /** Where Idempotency-Key responses are kept; default: this process's memory. */
  idempotency?: IdempotencyStore;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const policy = options.policy ?? DEFAULT_POLICY;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    // Per-request lines would dominate the log at ingest rates; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log's pino child is made only when the request logs (core/http/request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: 'x-request-id',
    // X-Forwarded-For names the client only when the peer is a configured proxy; otherwise anyone
    // could pick the address the rate limits count against.
    trustProxy: policy.trustedProxies.length > 0 ? policy.trustedProxies : false,
    forceCloseConnections: 'idle',
    // Long path segments reach the route's schema (a 400 naming the field) instead of a bare 414.
    routerOptions: { maxParamLength: 2048 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpProblem) return sendProblem(reply, request, err);
    if (err instanceof DomainError) return sendProblem(reply, request, problemFor(err));
    if (err.validation) return sendProblem(reply, request, validationProblem(err));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, media type, body too large) have safe messages.
      return sendProblem(
        reply,
        request,
        new HttpProblem(status, titleFor(status), err.message, { code: err.code }),
      );
    }
    request.log.error({ err, reqId: request.id }, 'request failed');
    return sendProblem(
      reply,
      request,
      new HttpProblem(500, 'Internal Server Error', `unexpected error; quote request id ${request.id}`),
    );
  });
  // 404 or, when the path exists under other methods, 405 with Allow; bounded JSON, no NUL bytes.
  registerMethodNotAllowed(app as unknown as FastifyInstance);
  registerInputChecks(app as unknown as FastifyInstance);

  app.addHook('onResponse', async (request, reply) => {
    options.metrics.http.requestSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  const root = app as unknown as FastifyInstance;
  await registerSecurity(root, policy, options.apiKeys ?? []);
  registerIdempotency(root, options.idempotency ?? memoryIdempotencyStore());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'citystream API',
        version: '1',
        description:
          'City services: air quality, traffic cameras, appointments, transport tickets, bills, fines, payments and incidents. Errors are RFC 9457 problem+json.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    // Each route's schema plus every problem status the edge can give it (core/http/openapi.ts).
    transform: documentStatuses(jsonSchemaTransform),
  });
  // staticCSP: the UI's own hashed inline scripts, instead of the dashboard's stricter policy.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const report = await options.readiness.run();
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not ready', ...report });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()),
  );

  return app as unknown as HttpServer;
}

function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    409: 'Conflict',
    413: 'Content Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
  };
  return titles[status] ?? 'Client Error';
}
