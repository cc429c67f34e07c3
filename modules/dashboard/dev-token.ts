// Demo-only sign-in: POST /v1/dev/token mints a citizen token for a name, so the dashboard's
// citizen panel works on `npm start` without an identity provider. Registered only in demo mode
// (CITYSTREAM_DEMO=1, or nothing configured at all: core/config/sections/demo.ts) and only with
// an HS256 secret; it never issues staff tokens.
import type { Logger } from 'pino';
import { z } from 'zod';
import { mintToken } from '../../core/auth/index.ts';
import type { HubContext } from '../../core/runtime/context.ts';

export const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

const body = z.object({
  sub: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'expected 1-64 characters: letters, digits, . _ - (it becomes your user id)',
  }),
});

const response = z.object({
  token: z.string(),
  sub: z.string(),
  role: z.literal('citizen'),
  expiresAt: z.string(),
});

export function registerDevToken(ctx: HubContext, log: Logger): void {
  const auth = ctx.config.auth;
  if (auth.kind !== 'hs256') {
    log.info(
      `demo sign-in (POST /v1/dev/token) is off: ${auth.kind === 'jwks' ? 'tokens come from CITYSTREAM_JWKS_URL' : 'no token secret'}`,
    );
    return;
  }
  ctx.http.post(
    '/v1/dev/token',
    {
      schema: {
        tags: ['demo'],
        summary: 'Demo mode only: mint a citizen token for a user id',
        body,
        response: { 201: response },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const { sub } = request.body;
      const token = await mintToken(auth.secret, { sub, role: 'citizen' }, DEV_TOKEN_TTL_SECONDS);
      const expiresAt = new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString();
      return reply.code(201).send({ token, sub, role: 'citizen' as const, expiresAt });
    },
  );
  log.warn(
    { reason: ctx.config.demoReason },
    'demo sign-in is on: POST /v1/dev/token mints citizen tokens for anyone',
  );
}
