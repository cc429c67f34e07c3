// Every status a route can answer is in /openapi.json, so clients (and the schemathesis run in CI)
// can rely on the spec: the route's own response schemas, the statuses it declares in
// `config.responses` (success codes without a body schema, business conflicts), and the problem
// responses the shared edge produces for it, derived from its auth level, method and path.
import type { SwaggerTransform } from '@fastify/swagger';
import type { AuthLevel } from './auth.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Statuses the route answers beyond its response schemas and the edge's: code → meaning. */
    responses?: Record<number, string>;
    /**
     * Media types its error bodies come in, when not only application/problem+json (the InfluxDB
     * write route answers application/json so InfluxDB clients read its `code` and `message`).
     */
    problemTypes?: string[];
    /** Media type of a success body that is not JSON (CSV, JPEG ...): code → type. */
    responseTypes?: Record<number, string>;
  }
}

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'stable machine code of the error (docs/api.md); never translated' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          in: { type: 'string' },
          field: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
  additionalProperties: true,
};

const EDGE_MEANINGS: Record<number, string> = {
  400: 'invalid request: the problem names each field and why',
  401: 'missing, invalid or expired credentials',
  403: 'signed in without the role this needs',
  404: 'no such resource (or not yours)',
  409: 'conflict with the current state, or an Idempotency-Key still in flight',
  413: 'body larger than the limit',
  415: 'unsupported Content-Type or Content-Encoding',
  422: 'Idempotency-Key reused with a different request, or a well-formed request that cannot be processed',
  429: 'rate limit exceeded; see Retry-After',
};

/** The problem statuses the shared edge can give a route (auth hook, validation, limits). */
export function edgeStatuses(route: { method: string; url: string; auth: AuthLevel | undefined }): number[] {
  const s = new Set<number>([400, 429]);
  // Public routes verify a Bearer token when one is sent.
  if (route.auth) s.add(401);
  if (route.auth === 'staff') s.add(403);
  if (route.url.includes(':')) s.add(404);
  if (route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT') {
    [404, 409, 413, 415, 422].forEach((c) => s.add(c));
  }
  return [...s].sort();
}

/** Wraps the zod → JSON schema transform: adds the statuses above to each documented route. */
export function documentStatuses(inner: SwaggerTransform): SwaggerTransform {
  return (args) => {
    const out = inner(args);
    const schema = (out.schema ?? {}) as Record<string, unknown>;
    if (schema.hide) return out;
    const config = (args.route.config ?? {}) as {
      auth?: AuthLevel;
      responses?: Record<number, string>;
      problemTypes?: string[];
      responseTypes?: Record<number, string>;
    };
    const problem = (description: string) => problemResponse(description, config.problemTypes);
    const method = ([] as string[]).concat(args.route.method)[0]!.toUpperCase();
    const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
    for (const [code, description] of Object.entries(config.responses ?? {})) {
      const type = config.responseTypes?.[Number(code)];
      // A declared media type wins over the transform's default JSON entry for that code.
      if (type) response[code] = { description, content: { [type]: { schema: { type: 'string' } } } };
      else response[code] ??= code.startsWith('2') || code === '304' ? { description } : problem(description);
    }
    if (!Object.keys(response).some((c) => c.startsWith('2'))) response['200'] = { description: 'OK' };
    for (const code of edgeStatuses({ method, url: args.url, auth: config.auth })) {
      response[String(code)] ??= problem(EDGE_MEANINGS[code]!);
    }
    // Node's HTTP parser answers this one itself, with no body, before any route runs.
    response['431'] ??= { description: 'request headers (or URL) larger than the server accepts' };
    // Staff-only routes are marked from the same `config.auth` the auth hook enforces, so the spec
    // lists every one of them (the staff console's docs and the 403 test read it from here).
    const staff =
      config.auth === 'staff'
        ? { tags: [...new Set([...((schema.tags as string[] | undefined) ?? []), 'staff'])], 'x-staff': true }
        : {};
    return { ...out, schema: { ...schema, ...staff, response } };
  };
}

function problemResponse(description: string, types = ['application/problem+json']) {
  return { description, content: Object.fromEntries(types.map((t) => [t, { schema: PROBLEM_SCHEMA }])) };
}
