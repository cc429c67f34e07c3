// Bearer tokens (JWT, HS256 secret or a JWKS) and integrator API keys.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { ApiKey, AuthConfig } from '../config/index.ts';

export const ROLES = ['citizen', 'staff'] as const;
export type UserRole = (typeof ROLES)[number];

export interface Principal {
  sub: string;
  role: UserRole;
  /** Seconds since epoch; gateways close or re-auth connections when it passes. Bearer tokens always carry it. */
  exp?: number;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  // A token that never expires cannot be taken back once leaked: refused.
  exp: z.number().finite(),
});

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export function createTokenVerifier(auth: AuthConfig): TokenVerifier {
  if (auth.kind === 'none') {
    return {
      verify: () =>
        Promise.reject(
          new AuthError(
            'this hub accepts no tokens: CITYSTREAM_JWT_SECRET or CITYSTREAM_JWKS_URL is not set',
          ),
        ),
    };
  }
  // The HMAC key is imported once: given raw bytes, jose imports it again on every verification.
  const hmacKey =
    auth.kind === 'hs256'
      ? crypto.subtle.importKey(
          'raw',
          new TextEncoder().encode(auth.secret),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['verify'],
        )
      : null;
  const jwks = auth.kind === 'jwks' ? createRemoteJWKSet(new URL(auth.jwksUrl)) : null;
  const verified = new VerifiedTokens();
  return {
    async verify(token: string): Promise<Principal> {
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        ({ payload } = hmacKey
          ? await jwtVerify(token, await hmacKey, { algorithms: ['HS256'], requiredClaims: ['exp'] })
          : await jwtVerify(token, jwks!, { requiredClaims: ['exp'] }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw new AuthError('token expired');
        if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'exp') {
          throw new AuthError('token has no exp claim; tokens must expire');
        }
        throw new AuthError('invalid token');
      }
      const parsed = claims.safeParse(payload);
      if (!parsed.success) {
        throw new AuthError('token lacks a valid sub, role (citizen|staff) or exp claim');
      }
      verified.add(token, parsed.data);
      return parsed.data;
    },
  };
}

/**
 * Tokens whose signature and claims were already checked, until they expire. A client sends the
 * same token with every request, and checking its signature again (WebCrypto, a thread-pool job)
 * was the hub's largest cost per booking after the database. Only verified tokens get in, so a
 * stranger cannot fill it; it holds at most MAX tokens of at most MAX_LENGTH characters, the
 * oldest going first, and an expired one is checked again (and refused) in full.
 */
class VerifiedTokens {
  static readonly MAX = 10_000;
  static readonly MAX_LENGTH = 2_048;
  private readonly byToken = new Map<string, Principal>();

  get(token: string): Principal | undefined {
    const p = this.byToken.get(token);
    if (!p) return undefined;
    if (p.exp !== undefined && p.exp * 1000 <= Date.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return p;
  }

  add(token: string, principal: Principal): void {
    if (token.length > VerifiedTokens.MAX_LENGTH) return;
    if (this.byToken.size >= VerifiedTokens.MAX) {
      const oldest = this.byToken.keys().next().value;
      if (oldest !== undefined) this.byToken.delete(oldest);
    }
    this.byToken.set(token, principal);
  }
}

export async function mintToken(
  secret: string,
  principal: { sub: string; role: UserRole },
  ttlSeconds = 3600,
): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The integrator's name for a presented key, compared in constant time; null when unknown. */
export function apiKeyOwner(keys: readonly ApiKey[], presented: string | undefined): string | null {
  if (!presented) return null;
  const p = digest(presented);
  let owner: string | null = null;
  for (const k of keys) if (timingSafeEqual(digest(k.key), p)) owner ??= k.name;
  return owner;
}
