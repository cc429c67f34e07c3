// Periodic upkeep of the city-services data: end ticket holds past their time (freeing seats and
// announcing it), cancel payment intents nobody confirmed, forget Idempotency-Key records older
// than a day.
import type { Logger } from 'pino';
import { dateOf, systemClock, type Clock } from '../core/clock.ts';
import type { Db } from '../core/db/types.ts';
import { cancelStaleIntents } from '../modules/payments/index.ts';
import { expireHolds } from '../modules/transport/index.ts';

export const IDEMPOTENCY_TTL_HOURS = 24;

export async function runMaintenance(
  db: Db,
  intentTtlSeconds: number,
  clock: Clock = systemClock,
): Promise<{ expiredTickets: number; cancelledIntents: number; forgottenKeys: number }> {
  const at = dateOf(clock);
  const expiredTickets = await db.transaction((tx) => expireHolds(tx, at));
  const cancelledIntents = await db.transaction((tx) => cancelStaleIntents(tx, intentTtlSeconds, at));
  const forgotten = await db.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
  );
  return { expiredTickets, cancelledIntents, forgottenKeys: forgotten.rowCount };
}

export function startMaintenance(
  db: Db,
  logger: Logger,
  everyMs: number,
  intentTtlSeconds: number,
  clock: Clock,
  onChange: () => void,
): { stop(): Promise<void> } {
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    current = runMaintenance(db, intentTtlSeconds, clock).then(
      (r) => {
        if (r.expiredTickets || r.cancelledIntents) {
          logger.info(r, 'ended expired ticket holds and unconfirmed payment intents');
          onChange();
        }
      },
      (err: unknown) => logger.warn({ err }, 'maintenance failed; will retry'),
    );
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
