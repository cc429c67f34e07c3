// The push sender: takes due notifications from push_deliveries and sends them with web-push
// (RFC 8030 request, RFC 8291 aes128gcm payload, RFC 8292 VAPID). A failed send is retried with
// backoff up to the configured attempts; a subscription the push service calls gone (404/410) is
// removed with what was queued for it; quiet hours and expired reminders drop the notice.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { PushConfig } from '../../core/config/index.ts';
import type { Db } from '../../core/db/types.ts';
import { backoffDelay } from '../../core/retry.ts';
import {
  claimDue,
  deliveryDone,
  dropSubscription,
  quietHoursOf,
  retryAt,
  type DueDelivery,
} from './store.ts';
import type { VapidKeys } from './vapid.ts';

const BATCH = 50;
const PARALLEL = 8;
const SEND_TIMEOUT_MS = 10_000;
/** Longer than a send can take, so a lease never ends while its send is in flight. */
const LEASE_MS = 60_000;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 15 * 60_000;

// web-push and its JWT and ASN.1 dependencies (~70 files) load with the first notification, not
// with every process that imports this module: start-up time of the ingest and stream roles.
const importWebPush = () => import('web-push').then((m) => m.default);
let webPush: ReturnType<typeof importWebPush> | null = null;
const loadWebPush = () => (webPush ??= importWebPush());

export type Outcome = 'sent' | 'retry' | 'gave_up' | 'gone' | 'quiet' | 'expired';

export interface SenderDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: PushConfig;
  vapid: VapidKeys;
  registry: Registry;
}

export class PushSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly agent: Agent | undefined;
  private readonly outcomes: Counter<'outcome'>;

  private readonly deps: SenderDeps;

  constructor(deps: SenderDeps) {
    this.deps = deps;
    const ca = deps.config.caFile ? readFileSync(deps.config.caFile, 'utf8') : null;
    // Node's default roots plus the operator's: a private relay must not untrust the public services.
    this.agent = ca ? new Agent({ ca: [...rootCertificates, ca], keepAlive: true }) : undefined;
    this.outcomes = new Counter({
      name: 'citystream_push_notifications_total',
      help: 'Push notification send outcomes (sent, retry, gave_up, gone, quiet, expired)',
      labelNames: ['outcome'],
      registers: [deps.registry],
    });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.wake();
      this.timer = setTimeout(tick, this.deps.config.pollMs);
    };
    tick();
  }

  /** Runs a pass now (or right after the one in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) =>
        this.deps.logger.error({ err }, 'push sender pass failed; retrying on the next poll'),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.agent?.destroy();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = new Date(this.deps.clock.now());
      const due = await claimDue(this.deps.db, now, BATCH, LEASE_MS);
      if (due.length === 0) return;
      const quiet = await quietHoursOf(this.deps.db, [...new Set(due.map((d) => d.user_id))]);
      for (let i = 0; i < due.length; i += PARALLEL) {
        await Promise.all(
          due.slice(i, i + PARALLEL).map(async (d) => {
            const outcome = await this.deliver(d, now, quiet.get(d.user_id));
            this.outcomes.inc({ outcome });
          }),
        );
      }
      if (due.length < BATCH) return;
    }
  }

  private async deliver(
    d: DueDelivery,
    now: Date,
    quiet: { start: number; end: number; timeZone: string } | undefined,
  ): Promise<Outcome> {
    const { db, logger, config } = this.deps;
    if (d.expires_at && d.expires_at <= now) {
      await deliveryDone(db, d.id);
      return 'expired';
    }
    if (quiet && inQuietHours(now, quiet)) {
      await deliveryDone(db, d.id);
      return 'quiet';
    }
    const webpush = await loadWebPush();
    try {
      await webpush.sendNotification(
        { endpoint: d.endpoint, keys: { p256dh: d.p256dh, auth: d.auth } },
        JSON.stringify(d.payload),
        {
          vapidDetails: {
            subject: config.subject,
            publicKey: this.deps.vapid.publicKey,
            privateKey: this.deps.vapid.privateKey,
          },
          TTL: d.ttl_seconds,
          urgency: d.urgency,
          contentEncoding: 'aes128gcm',
          timeout: SEND_TIMEOUT_MS,
          ...(this.agent ? { agent: this.agent } : {}),
        },
      );
      await deliveryDone(db, d.id);
      return 'sent';
    } catch (err) {
      const status = err instanceof webpush.WebPushError ? err.statusCode : null;
      if (status === 404 || status === 410) {
        await dropSubscription(db, d.subscription_id);
        logger.info({ subscription: d.subscription_id, status }, 'push subscription is gone; removed');
        return 'gone';
      }
      // 400 and 413 say this request can never succeed (a malformed or oversize message).
      if (status === 400 || status === 413 || d.attempts >= config.maxAttempts) {
        await deliveryDone(db, d.id);
        logger.warn(
          { delivery: d.id, status, attempts: d.attempts, err: status ? undefined : err },
          'push notification given up',
        );
        return 'gave_up';
      }
      await retryAt(
        db,
        d.id,
        new Date(now.getTime() + backoffDelay(d.attempts, RETRY_BASE_MS, RETRY_MAX_MS)),
      );
      logger.debug(
        { delivery: d.id, status, attempts: d.attempts },
        'push send failed; retrying with backoff',
      );
      return 'retry';
    }
  }
}

/** True when `now`, in the zone, falls between start (inclusive) and end (exclusive); may wrap midnight. */
export function inQuietHours(now: Date, q: { start: number; end: number; timeZone: string }): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: q.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const m = get('hour') * 60 + get('minute');
  return q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
}
