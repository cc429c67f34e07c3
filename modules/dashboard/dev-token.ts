// Demo-only sign-in: POST /v1/dev/token mints a citizen token for a name, so the dashboard's
// citizen panel works on `npm start` without an identity provider. Registered only in demo mode
// (CITYSTREAM_DEMO=1, or nothing configured at all: core/config/sections/demo.ts) and only with
// an HS256 secret; it never issues staff tokens.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { mintToken } from '../../core/auth/index.ts';
import type { HubContext } from '../../core/runtime/context.ts';

export const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

const SUB = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const body = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, { error: 'enter your name' })
      .max(64)
      // A refine, not a pattern: /openapi.json stays free of \p{} classes other tools cannot read.
      .refine((v) => !/\p{C}/u.test(v), { error: 'a name cannot contain control characters' })
      .optional()
      .describe('a display name in any script (王小明, Wang Xiaoming); the user id is derived from it'),
    sub: z
      .string()
      .regex(SUB, { error: 'expected 1-64 characters: letters, digits, . _ - (it becomes your user id)' })
      .optional()
      .describe('an explicit user id, instead of one derived from the name'),
  })
  .refine((b) => b.name !== undefined || b.sub !== undefined, {
    error: 'give your name (or a user id as sub)',
    path: ['name'],
  });

const response = z.object({
  token: z.string(),
  sub: z.string(),
  name: z.string(),
  role: z.literal('citizen'),
  expiresAt: z.string(),
});

/**
 * The user id for a display name: a readable slug when the name is plain Latin letters and digits
 * ("Wang Xiaoming" → "wang-xiaoming"), otherwise "u-" and a digest of the name (王小明 → "u-…"),
 * so the same name signs in to the same demo account and ids stay ASCII in logs and URLs.
 */
export function userIdForName(name: string): string {
  const normal = name.normalize('NFC').trim();
  const slug = normal
    .toLowerCase()
    .replace(/[\s._-]+/g, '-')
    .replace(/^-|-$/g, '');
  if (/^[a-z0-9][a-z0-9-]{0,63}$/.test(slug)) return slug;
  return `u-${createHash('sha256').update(normal).digest('hex').slice(0, 16)}`;
}

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
        summary: 'Demo mode only: mint a citizen token for a display name (or a user id)',
        body,
        response: { 201: response },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const name = request.body.name ?? request.body.sub!;
      const sub = request.body.sub ?? userIdForName(name);
      const token = await mintToken(auth.secret, { sub, role: 'citizen' }, DEV_TOKEN_TTL_SECONDS);
      const expiresAt = new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString();
      return reply.code(201).send({ token, sub, name, role: 'citizen' as const, expiresAt });
    },
  );
  log.warn(
    { reason: ctx.config.demoReason },
    'demo sign-in is on: POST /v1/dev/token mints citizen tokens for anyone',
  );
}
