// Request guards shared by every HTTP route: bearer tokens for citizens and staff, API keys for
// sensor integrators.
import type { FastifyRequest } from 'fastify';
import { apiKeyOwner, AuthError, type Principal, type TokenVerifier } from '../auth/index.ts';
import type { ApiKey } from '../config/index.ts';
import { forbidden, unauthorized } from './problem.ts';

export interface Guards {
  /** The caller, or null when no Authorization header was sent. Invalid tokens are refused. */
  optionalUser(request: FastifyRequest): Promise<Principal | null>;
  user(request: FastifyRequest): Promise<Principal>;
  staff(request: FastifyRequest): Promise<Principal>;
  /** The integrator's name from X-API-Key. */
  integrator(request: FastifyRequest): string;
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

export function createGuards(verifier: TokenVerifier, apiKeys: readonly ApiKey[]): Guards {
  const optionalUser = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    if (!header) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
    try {
      return await verifier.verify(m[1]!);
    } catch (err) {
      throw unauthorized(err instanceof AuthError ? err.message : 'invalid token');
    }
  };
  const user = async (request: FastifyRequest) => {
    const p = await optionalUser(request);
    if (!p) throw unauthorized('sign in: send Authorization: Bearer <token>');
    return p;
  };
  return {
    optionalUser,
    user,
    async staff(request) {
      const p = await user(request);
      if (p.role !== 'staff') throw forbidden('staff role required');
      return p;
    },
    integrator(request) {
      const presented = request.headers['x-api-key'];
      const key = Array.isArray(presented) ? presented[0] : presented;
      if (!key) throw unauthorized('send your integrator key in X-API-Key');
      const owner = apiKeyOwner(apiKeys, key);
      if (!owner) throw unauthorized('unknown API key');
      return owner;
    },
  };
}
