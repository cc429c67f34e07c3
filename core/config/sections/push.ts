// Settings of Web Push (modules/push, api role): the VAPID identity, which push services the hub
// may call, and how sends are retried.
import { z } from 'zod';
import { csv, documented, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

/** Hosts of the browsers' push services (Chrome/Edge/Opera, Firefox, Safari, Windows), matched as suffixes. */
export const DEFAULT_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'push.services.mozilla.com',
  'push.apple.com',
  'notify.windows.com',
] as const;

/** Base64url without padding, as the Push API hands keys out. */
const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: `expected base64url (${what})` })
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, {
      error: `expected ${bytes} bytes in base64url (${what})`,
    });

export const pushVariables = {
  CITYSTREAM_VAPID_PUBLIC_KEY: documented(
    optionalString.pipe(base64url(65, 'uncompressed P-256 public key').optional()),
    {
      description: 'VAPID public key (RFC 8292) browsers subscribe with; set together with the private key',
      type: 'base64url, 65 bytes',
      default: 'a key pair generated into `<data dir>/vapid.json` on first start, with a warning',
    },
  ),
  CITYSTREAM_VAPID_PRIVATE_KEY: documented(
    optionalString.pipe(base64url(32, 'P-256 private key').optional()),
    {
      description: 'VAPID private key that signs every push request',
      type: 'base64url, 32 bytes',
      default: 'generated with the public key',
    },
  ),
  CITYSTREAM_VAPID_SUBJECT: documented(
    optionalString.pipe(
      z
        .string()
        .regex(/^(mailto:.+@.+|https:\/\/.+)$/, {
          error: 'expected mailto:someone@example.org or an https:// URL',
        })
        .optional(),
    ),
    {
      description: 'contact push services may use about this sender (VAPID `sub` claim)',
      type: '`mailto:` address or `https://` URL',
      default: '`mailto:push@citystream.invalid`',
    },
  ),
  CITYSTREAM_PUSH_HOSTS: documented(
    csv.pipe(
      z
        .array(z.string().regex(/^[A-Za-z0-9.-]+$/, { error: 'expected host names like fcm.googleapis.com' }))
        .optional(),
    ),
    {
      description:
        'push services a subscription endpoint may point at (a host or any subdomain of it); others are refused with 422, so the hub never posts to an arbitrary URL',
      type: 'comma-separated host names',
      default: `${DEFAULT_PUSH_HOSTS.map((h) => `\`${h}\``).join(', ')}`,
    },
  ),
  CITYSTREAM_PUSH_CA_FILE: documented(optionalString, {
    description: 'extra PEM certificate authorities trusted for push services (a private push relay)',
    type: 'path to a PEM file',
    default: 'the system roots only',
  }),
  CITYSTREAM_PUSH_POLL_MS: positiveInt(1000, 'milliseconds between checks for due push notifications'),
  CITYSTREAM_PUSH_MAX_ATTEMPTS: positiveInt(8, 'sends of one notification before it is given up'),
};

export type PushVariables = Parsed<typeof pushVariables>;

export interface PushConfig {
  /** null: generated into the data dir on first start. */
  vapid: { publicKey: string; privateKey: string } | null;
  subject: string;
  hosts: string[];
  caFile: string | null;
  pollMs: number;
  maxAttempts: number;
}

export function pushSection(v: PushVariables, ctx: z.RefinementCtx): PushConfig {
  const pub = v.CITYSTREAM_VAPID_PUBLIC_KEY;
  const priv = v.CITYSTREAM_VAPID_PRIVATE_KEY;
  if ((pub === undefined) !== (priv === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [pub === undefined ? 'CITYSTREAM_VAPID_PUBLIC_KEY' : 'CITYSTREAM_VAPID_PRIVATE_KEY'],
      message: 'set both VAPID keys, or neither (then a pair is generated into the data dir)',
    });
  }
  return {
    vapid: pub && priv ? { publicKey: pub, privateKey: priv } : null,
    subject: v.CITYSTREAM_VAPID_SUBJECT ?? 'mailto:push@citystream.invalid',
    hosts: v.CITYSTREAM_PUSH_HOSTS ?? [...DEFAULT_PUSH_HOSTS],
    caFile: v.CITYSTREAM_PUSH_CA_FILE ?? null,
    pollMs: v.CITYSTREAM_PUSH_POLL_MS,
    maxAttempts: v.CITYSTREAM_PUSH_MAX_ATTEMPTS,
  };
}
