// Who may call a route, decided before its body is read. Every API route declares
// `config: { auth }`; one onRequest hook (registerAuth) enforces it, so an unauthenticated upload
// is refused before it is buffered, inflated or parsed and costs nothing beyond its raw bytes.
//   public      anyone; a Bearer token, when sent, must be valid and identifies the caller
//   user        a valid Bearer token (citizen or staff)
//   staff       a valid Bearer token with role staff
//   integrator  a known integrator key (Authorization: Token|Bearer <key>, or X-API-Key)
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import {
  ApiKeyRegistry,
  AuthError,
  type KeyGrant,
  type Principal,
  type TokenVerifier,
} from '../auth/index.ts';
import type { ApiKey } from '../config/index.ts';
import { forbidden, unauthorized } from './problem.ts';
import { appendOnRequest } from './route-hooks.ts';

export const AUTH_LEVELS = ['public', 'user', 'staff', 'integrator'] as const;
export type AuthLevel = (typeof AUTH_LEVELS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; checked in onRequest, before the body is read. */
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    /** The signed-in caller (set by the auth hook), or null when anonymous. */
    principal: Principal | null;
    /** The integrator's name on `auth: 'integrator'` routes. */
    integrator: string | null;
    /** What the integrator's key may push (its scope, its id for usage counts). */
    integratorKey: KeyGrant | null;
  }
}

/** Paths that are the API: a route under them without `config.auth` is refused at start-up. */
const API_PATH = /^\/(?:v1|api|open311)\//;

export interface Guards {
  /** The caller, or null when no Authorization header was sent. Invalid tokens are refused. */
  optionalUser(request: FastifyRequest): Promise<Principal | null>;
  user(request: FastifyRequest): Promise<Principal>;
  staff(request: FastifyRequest): Promise<Principal>;
  /** The grant of the presented key (unknown or revoked keys are refused). */
  integrator(request: FastifyRequest): KeyGrant;
}

/**
 * The integrator key a request presents: `Authorization: Token <key>` (or Bearer) as Telegraf and
 * the InfluxDB client libraries send it, else X-API-Key.
 */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const m = header ? /^(?:Token|Bearer)\s+(\S+)$/i.exec(header) : null;
  if (m) return m[1];
  const x = request.headers['x-api-key'];
  return Array.isArray(x) ? x[0] : x;
}

/** Keys as a list (bootstrap only) or the process's registry (bootstrap + database keys). */
export const keyRegistry = (apiKeys: readonly ApiKey[] | ApiKeyRegistry): ApiKeyRegistry =>
  apiKeys instanceof ApiKeyRegistry ? apiKeys : new ApiKeyRegistry(apiKeys);

export function createGuards(verifier: TokenVerifier, apiKeys: readonly ApiKey[] | ApiKeyRegistry): Guards {
  const registry = keyRegistry(apiKeys);
  // One verification per request, whether the hook or a handler asks first.
  const verified = new WeakMap<FastifyRequest, Promise<Principal | null>>();
  const optionalUser = (request: FastifyRequest): Promise<Principal | null> => {
    let p = verified.get(request);
    if (!p) {
      p = verify(request);
      verified.set(request, p);
    }
    return p;
  };
  const verify = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    if (!header) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>"', 'invalid_token');
    try {
      return await verifier.verify(m[1]!);
    } catch (err) {
      throw unauthorized(err instanceof AuthError ? err.message : 'invalid token', 'invalid_token');
    }
  };
  const user = async (request: FastifyRequest) => {
    const p = await optionalUser(request);
    if (!p) throw unauthorized('sign in: send Authorization: Bearer <token>', 'sign_in_required');
    return p;
  };
  return {
    optionalUser,
    user,
    async staff(request) {
      const p = await user(request);
      if (p.role !== 'staff') throw forbidden('staff role required', 'staff_only');
      return p;
    },
    integrator(request) {
      const key = presentedApiKey(request);
      if (!key)
        throw unauthorized(
          'send your integrator key as "Authorization: Token <key>" or X-API-Key',
          'api_key_required',
        );
      const grant = registry.lookup(key);
      if (!grant) throw unauthorized('unknown API key', 'unknown_api_key');
      return grant;
    },
  };
}

/**
 * Enforces each route's `config.auth`; call after the rate limiter is registered and before any
 * API route is added. The check is appended to each route's own onRequest hooks, so it runs after
 * the per-IP rate limit (a flood of bad credentials is still counted) and before the body is read.
 * A refusal while the body is still arriving closes the connection: the rest of an unwanted upload
 * is not even drained.
 */
export function registerAuth(app: FastifyInstance, guards: Guards): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('integrator', null);
  app.decorateRequest('integratorKey', null);
  const check = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await authenticate(request, guards);
    } catch (err) {
      if (!request.raw.complete) reply.header('connection', 'close');
      throw err;
    }
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    const auth = (route.config as { auth?: unknown } | undefined)?.auth;
    if (auth === undefined && API_PATH.test(route.url)) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.auth`);
    }
    if (auth !== undefined && !AUTH_LEVELS.includes(auth as AuthLevel)) {
      throw new Error(`route ${route.url}: config.auth must be one of ${AUTH_LEVELS.join(', ')}`);
    }
    if (auth !== undefined) appendOnRequest(route, check);
  });
}

async function authenticate(request: FastifyRequest, guards: Guards): Promise<void> {
  switch (request.routeOptions.config.auth) {
    case undefined:
      return;
    case 'public':
      // Other schemes (an integrator's Token, Basic) do not name a user on public routes.
      if (/^Bearer\s/i.test(request.headers.authorization ?? ''))
        request.principal = await guards.optionalUser(request);
      return;
    case 'user':
      request.principal = await guards.user(request);
      return;
    case 'staff':
      request.principal = await guards.staff(request);
      return;
    case 'integrator':
      request.integratorKey = guards.integrator(request);
      request.integrator = request.integratorKey.name;
      return;
  }
}

/** The caller the hook signed in, on a route declaring `auth: 'user'` or `'staff'`. */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) {
    // A programming error: the route reads a caller it did not require.
    throw new Error(`route ${request.routeOptions.url} reads the caller but declares no user auth`);
  }
  return request.principal;
}
