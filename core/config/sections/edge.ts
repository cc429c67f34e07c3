// Settings of the HTTP edge that decide who a caller is: which peers may speak for a client in
// X-Forwarded-For, and how many fine and bill lookups a caller may make.
import { isIP } from 'node:net';
import { z } from 'zod';
import { csv, documented, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

/** Address ranges @fastify/proxy-addr knows by name. */
export const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** An IP, an IP/prefix CIDR, or one of the named ranges. */
export function isProxyAddress(item: string): boolean {
  if ((PROXY_RANGE_NAMES as readonly string[]).includes(item)) return true;
  const [ip, prefix, ...rest] = item.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export const edgeVariables = {
  CITYSTREAM_TRUSTED_PROXIES: documented(
    csv.pipe(
      z
        .array(
          z.string().refine(isProxyAddress, {
            error: `expected IP addresses, CIDR ranges (10.0.0.0/8) or ${PROXY_RANGE_NAMES.join(', ')}`,
          }),
        )
        .optional(),
    ),
    {
      description: 'peers whose `X-Forwarded-For` names the client (a reverse proxy in front of the hub)',
      type: 'comma-separated IPs, CIDRs (`10.0.0.0/8`), `loopback`, `linklocal`, `uniquelocal`',
      default: 'none: the TCP peer is the client',
      roles: 'every role, at the HTTP edge',
    },
  ),
  CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE: positiveInt(
    30,
    'fine and bill lookups per user and per client IP per minute; a lookup that finds nothing counts 5',
  ),
};

export type EdgeVariables = Parsed<typeof edgeVariables>;
