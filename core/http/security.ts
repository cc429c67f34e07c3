// The HTTP edge shared by every route: security headers (helmet), CORS, per-client rate limits
// and multipart uploads. Registered on the root instance before any route.
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { ApiKeyRegistry } from '../auth/index.ts';
import { keyRegistry, presentedApiKey } from './auth.ts';
import type { ApiKey, HttpPolicy } from '../config/index.ts';
import { HttpProblem } from './problem.ts';

export const DEFAULT_POLICY: HttpPolicy = {
  rateLimitPerMinute: 1200,
  lookupLimitPerMinute: 30,
  trustedProxies: [],
  corsOrigins: [],
  uploadMaxBytes: 5 * 1024 * 1024,
  mapStyleUrl: null,
};

export async function registerSecurity(
  app: FastifyInstance,
  policy: HttpPolicy,
  apiKeys: readonly ApiKey[] | ApiKeyRegistry,
): Promise<void> {
  const registry = keyRegistry(apiKeys);
  // A configured map style (CITYSTREAM_MAP_STYLE_URL) is the one third party: the map fetches its
  // style, tiles, glyphs and sprites from that origin.
  const mapOrigin = policy.mapStyleUrl ? [new URL(policy.mapStyleUrl).origin] : [];
  // helmet's middleware, built once: @fastify/helmet builds a new one (parsing the CSP
  // directives again) for every request, 9-15 µs of CPU each on this machine.
  const securityHeaders = helmet({
    // The dashboard at / is a same-origin page: its own scripts, styles, images (camera
    // snapshots) and a WebSocket to /ws on the same host. The map's worker is a same-origin
    // script (worker-src falls back to script-src 'self'); MapLibre decodes images to blob: URLs.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...mapOrigin],
        // The camera player (hls.js) feeds the video element through a MediaSource blob: URL.
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...mapOrigin],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // Snapshots and API responses may be embedded by allowed cross-origin dashboards.
    crossOriginResourcePolicy: { policy: policy.corsOrigins.length ? 'cross-origin' : 'same-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    // helmet 8 only sets headers here (its options were checked when it was built) and calls
    // next without an error.
    securityHeaders(request.raw, reply.raw, () => done());
  });

  await app.register(cors, {
    // Empty list: no CORS headers at all, i.e. same-origin callers only.
    origin: policy.corsOrigins.includes('*') ? '*' : policy.corsOrigins.length ? policy.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-API-Key', 'X-Request-Id'],
    exposedHeaders: ['Idempotent-Replayed', 'Retry-After', 'X-Request-Id', 'ETag', 'Location'],
    maxAge: 600,
  });

  await app.register(rateLimit, {
    global: true,
    max: policy.rateLimitPerMinute,
    timeWindow: 60_000,
    // Integrators holding a valid key push at sensor rates; they are accounted per key upstream.
    allowList: (request: FastifyRequest) => {
      const key = presentedApiKey(request);
      return key !== undefined && registry.lookup(key) !== null;
    },
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        'Too Many Requests',
        `rate limit of ${context.max} requests per ${context.after} exceeded; retry later`,
        { code: 'rate_limited' },
      ),
  });

  await app.register(multipart, {
    limits: { fileSize: policy.uploadMaxBytes, files: 1, fields: 30, fieldSize: 64 * 1024, parts: 32 },
  });
}
