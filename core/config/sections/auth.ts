import { z } from 'zod';
import { documented, optionalString, httpUrl } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const authVariables = {
  CITYSTREAM_JWT_SECRET: documented(
    optionalString.pipe(
      z.string().min(32, { error: 'expected at least 32 characters (an HS256 secret)' }).optional(),
    ),
    {
      description: 'HS256 secret that verifies user tokens (or `CITYSTREAM_JWKS_URL`, not both)',
      type: 'string of 32+ characters',
      default: 'demo mode: a public dev secret; otherwise every bearer token is refused',
    },
  ),
  CITYSTREAM_JWKS_URL: documented(httpUrl('JWKS document that verifies user tokens'), {
    default: 'tokens are verified with `CITYSTREAM_JWT_SECRET`',
  }),
  CITYSTREAM_API_KEYS: documented(apiKeys(), {
    description: 'integrator API keys',
    type: '`name:key,name:key` (key: 8+ characters)',
    default: '`demo:demo-key` in demo mode, else none',
  }),
};

function apiKeys() {
  return optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const keys: ApiKey[] = [];
    for (const item of v.split(',')) {
      const m = /^\s*([A-Za-z0-9._-]{1,64}):(\S{8,})\s*$/.exec(item);
      if (!m) {
        ctx.addIssue({
          code: 'custom',
          message: `expected name:key pairs separated by commas (name: letters, digits, . _ -; key: 8+ characters without spaces), got an item "${mask(item)}"`,
        });
        return z.NEVER;
      }
      keys.push({ name: m[1]!, key: m[2]! });
    }
    return keys;
  });
}

function mask(item: string): string {
  const [name] = item.split(':');
  return item.includes(':') ? `${name}:***` : '***';
}

export interface ApiKey {
  name: string;
  key: string;
}

export type AuthVariables = Parsed<typeof authVariables>;

/** A fixed, public dev secret: tokens signed with it are accepted in demo mode only. */
export const DEV_JWT_SECRET = 'citystream-dev-secret-do-not-use-in-production';

/**
 * How bearer tokens are verified. `none`: outside demo mode with neither CITYSTREAM_JWT_SECRET
 * nor CITYSTREAM_JWKS_URL set, every token is refused (integrator keys still work); the public
 * dev secret would let anyone sign in as staff.
 */
export type AuthConfig =
  | { kind: 'hs256'; secret: string; isDevSecret: boolean; apiKeys: ApiKey[] }
  | { kind: 'jwks'; jwksUrl: string; apiKeys: ApiKey[] }
  | { kind: 'none'; apiKeys: ApiKey[] };

export function authSection(v: AuthVariables, demo: boolean, ctx: z.RefinementCtx): AuthConfig {
  const apiKeys = v.CITYSTREAM_API_KEYS ?? (demo ? [{ name: 'demo', key: 'demo-key' }] : []);
  if (v.CITYSTREAM_JWT_SECRET && v.CITYSTREAM_JWKS_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['CITYSTREAM_JWKS_URL'],
      message: 'set either CITYSTREAM_JWT_SECRET or CITYSTREAM_JWKS_URL, not both',
    });
  }
  if (v.CITYSTREAM_JWKS_URL) return { kind: 'jwks', jwksUrl: v.CITYSTREAM_JWKS_URL, apiKeys };
  if (!v.CITYSTREAM_JWT_SECRET && !demo) return { kind: 'none', apiKeys };
  return {
    kind: 'hs256',
    secret: v.CITYSTREAM_JWT_SECRET ?? DEV_JWT_SECRET,
    isDevSecret: !v.CITYSTREAM_JWT_SECRET,
    apiKeys,
  };
}
