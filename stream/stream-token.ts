// Stream tokens: a browser's EventSource cannot send an Authorization header, so it puts a token
// in the URL, where proxies may log it. Such a URL carries a stream token instead of the bearer
// token: minted from a valid bearer token by POST /v1/stream/tokens, good for opening a stream
// for 60 s, accepted only by the live transports. The stream it opens keeps the bearer token's
// expiry (closed 4401 `token expired` then, as on /ws).
import { hkdfSync, randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AuthError, ROLES, type Principal } from '../core/auth/index.ts';
import type { AuthConfig } from '../core/config/index.ts';

export const STREAM_TOKEN_SECONDS = 60;
const AUDIENCE = 'citystream:stream';
const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  /** The bearer token's expiry: the stream's identity lasts no longer than it. */
  bexp: z.number().finite(),
});

export class StreamTokens {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    this.key = key;
  }

  /**
   * The configured key; else one derived from the HS256 secret (so every gateway agrees, and a
   * stream token is never a valid bearer token); else a random one, valid on this process only.
   */
  static fromConfig(secret: string | undefined, auth: AuthConfig, logger: Logger): StreamTokens {
    const derive = (s: string) => new Uint8Array(hkdfSync('sha256', s, 'citystream', 'stream token v1', 32));
    if (secret) return new StreamTokens(derive(secret));
    if (auth.kind === 'hs256') return new StreamTokens(derive(auth.secret));
    if (auth.kind === 'jwks')
      logger.warn(
        'CITYSTREAM_STREAM_TOKEN_SECRET is unset: stream tokens are valid only on the gateway that minted them',
      );
    return new StreamTokens(new Uint8Array(randomBytes(32)));
  }

  async mint(p: Principal, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
    const nowS = Math.floor(now / 1000);
    const bexp = p.exp ?? nowS + STREAM_TOKEN_SECONDS;
    const exp = Math.min(nowS + STREAM_TOKEN_SECONDS, bexp);
    const token = await new SignJWT({ role: p.role, bexp })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(p.sub)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['exp'],
      });
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new AuthError('invalid stream token');
      return { sub: parsed.data.sub, role: parsed.data.role, exp: parsed.data.bexp };
    } catch (err) {
      if (err instanceof AuthError) throw err;
      if (err instanceof joseErrors.JWTExpired)
        throw new AuthError('stream token expired: get a new one from POST /v1/stream/tokens');
      throw new AuthError('invalid stream token: get one from POST /v1/stream/tokens');
    }
  }
}
