// Settings of the city-services API (api role) and of the HTTP edge every role shares:
// payment webhook signing, ticket holds, rate limits, CORS, photo uploads, outbox relay.
import { z } from 'zod';
import { csv, documented, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';
import { edgeVariables } from './edge.ts';
import { mapVariables } from './map.ts';

export const apiVariables = {
  CITYSTREAM_PAYMENT_WEBHOOK_SECRET: documented(
    optionalString.pipe(
      z
        .string()
        .min(32, { error: 'expected at least 32 characters (HMAC-SHA256 key of the payment provider)' })
        .optional(),
    ),
    {
      description: 'HMAC-SHA256 key that signs payment provider webhooks',
      type: 'string of 32+ characters',
      default: 'a public dev secret, with a warning',
    },
  ),
  CITYSTREAM_WEBHOOK_TOLERANCE_SECONDS: positiveInt(
    300,
    'seconds a signed webhook timestamp may differ from now',
  ),
  CITYSTREAM_TICKET_HOLD_SECONDS: positiveInt(900, 'seconds a ticket holds its seats before payment'),
  CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS: positiveInt(
    300,
    'seconds an unconfirmed payment intent holds its bill, fine or booking',
  ),
  CITYSTREAM_RATE_LIMIT_PER_MINUTE: documented(
    positiveInt(1200, 'requests per client IP per minute; valid integrator keys are exempt'),
    { roles: 'every role, at the HTTP edge' },
  ),
  CITYSTREAM_CORS_ORIGINS: documented(
    csv.pipe(
      z
        .array(
          z.union([
            z.literal('*'),
            z.url({ protocol: /^https?$/, error: 'expected origins like https://city.example' }),
          ]),
        )
        .optional(),
    ),
    {
      description: 'cross-origin callers allowed',
      type: '`*`, or comma-separated origins like `https://city.example`',
      default: 'same origin only',
      roles: 'every role, at the HTTP edge',
    },
  ),
  CITYSTREAM_PHOTO_MAX_BYTES: positiveInt(5 * 1024 * 1024, 'largest incident photo in bytes'),
  CITYSTREAM_OUTBOX_POLL_MS: positiveInt(
    250,
    'milliseconds between outbox relay polls (commits also wake it)',
  ),
  ...edgeVariables,
  ...mapVariables,
};

export type ApiVariables = Parsed<typeof apiVariables>;

/** Known public secret for demos and tests; a warning is logged when it is in use. */
export const DEV_WEBHOOK_SECRET = 'citystream-dev-webhook-secret-do-not-use-in-production';

export interface ApiConfig {
  webhook: { secret: string; isDevSecret: boolean; toleranceSeconds: number };
  ticketHoldSeconds: number;
  /** An intent nobody confirmed within this stops holding its target (api/payments). */
  paymentIntentTtlSeconds: number;
  photoMaxBytes: number;
  outboxPollMs: number;
  http: HttpPolicy;
}

/** What the HTTP edge enforces for every route (core/http). */
export interface HttpPolicy {
  rateLimitPerMinute: number;
  /** Fine and bill lookups per user and per client IP per minute; a miss costs more (core/http/lookup-limit). */
  lookupLimitPerMinute: number;
  /**
   * Peers whose X-Forwarded-For names the client (IPs, CIDRs, proxy-addr range names); empty:
   * nobody's, the client is the TCP peer.
   */
  trustedProxies: string[];
  /** Allowed cross-origin callers; empty: same origin only. */
  corsOrigins: string[];
  /** Largest file in a multipart upload. */
  uploadMaxBytes: number;
  /** The dashboard map's MapLibre style; null: the bundled offline style. Its origin joins the CSP. */
  mapStyleUrl: string | null;
}

export function apiSection(v: ApiVariables): ApiConfig {
  return {
    webhook: {
      secret: v.CITYSTREAM_PAYMENT_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      isDevSecret: !v.CITYSTREAM_PAYMENT_WEBHOOK_SECRET,
      toleranceSeconds: v.CITYSTREAM_WEBHOOK_TOLERANCE_SECONDS,
    },
    ticketHoldSeconds: v.CITYSTREAM_TICKET_HOLD_SECONDS,
    paymentIntentTtlSeconds: v.CITYSTREAM_PAYMENT_INTENT_TTL_SECONDS,
    photoMaxBytes: v.CITYSTREAM_PHOTO_MAX_BYTES,
    outboxPollMs: v.CITYSTREAM_OUTBOX_POLL_MS,
    http: {
      rateLimitPerMinute: v.CITYSTREAM_RATE_LIMIT_PER_MINUTE,
      lookupLimitPerMinute: v.CITYSTREAM_LOOKUP_LIMIT_PER_MINUTE,
      trustedProxies: v.CITYSTREAM_TRUSTED_PROXIES ?? [],
      corsOrigins: v.CITYSTREAM_CORS_ORIGINS ?? [],
      uploadMaxBytes: v.CITYSTREAM_PHOTO_MAX_BYTES,
      mapStyleUrl: v.CITYSTREAM_MAP_STYLE_URL ?? null,
    },
  };
}
