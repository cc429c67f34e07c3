// The push tables (migrations/0610): subscriptions, preferences, AQI follows, and the queue of
// notifications to send. Times come from the hub clock so tests move them without sleeping.
import type { Db, Queryable } from '../../core/db/types.ts';
import type { ApiLanguage } from '../../core/http/language.ts';
import { newId } from '../../core/module/common.ts';
import { DEFAULT_PREFERENCES, type Preferences, type SubscriptionInput } from './schemas.ts';

/** What a service worker shows: title, text, the view to open when tapped, a tag to replace older ones. */
export interface Notice {
  kind: string;
  title: string;
  body: string;
  url: string;
  tag: string;
}

/** One notice written in each language a subscription may read; each browser gets its own. */
export type Notices = Record<ApiLanguage, Notice>;

export interface SubscriptionRow {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  language: ApiLanguage;
  created_at: Date;
}

/** Cap per user: each browser or device is one subscription. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

/**
 * Saves a browser's subscription for `userId`, its notifications in `language`. The same endpoint
 * again (a re-subscribe, the page switched language, or another person signing in on that
 * browser) moves it to this user with the new keys and language.
 */
export async function saveSubscription(
  db: Db,
  userId: string,
  s: SubscriptionInput,
  language: ApiLanguage,
): Promise<{ row: SubscriptionRow; created: boolean } | 'full'> {
  return db.transaction(async (tx) => {
    // One writer per user at a time, so the cap below holds under concurrent subscribes.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`push:${userId}`]);
    const existing = (
      await tx.query<SubscriptionRow>('SELECT * FROM push_subscriptions WHERE endpoint = $1', [s.endpoint])
    ).rows[0];
    if (!existing) {
      const count = (
        await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM push_subscriptions WHERE user_id = $1',
          [userId],
        )
      ).rows[0]!.n;
      if (count >= MAX_SUBSCRIPTIONS_PER_USER) return 'full';
      const row = (
        await tx.query<SubscriptionRow>(
          `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, language)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [newId('psub'), userId, s.endpoint, s.keys.p256dh, s.keys.auth, language],
        )
      ).rows[0]!;
      return { row, created: true };
    }
    if (existing.user_id !== userId) {
      // Notifications queued for the previous user must not reach the new one.
      await tx.query('DELETE FROM push_deliveries WHERE subscription_id = $1', [existing.id]);
    }
    const row = (
      await tx.query<SubscriptionRow>(
        `UPDATE push_subscriptions SET user_id = $2, p256dh = $3, auth = $4, language = $5 WHERE id = $1 RETURNING *`,
        [existing.id, userId, s.keys.p256dh, s.keys.auth, language],
      )
    ).rows[0]!;
    return { row, created: false };
  });
}

/** Removes the user's subscription with this endpoint; false when they have none such. */
export async function deleteSubscription(db: Queryable, userId: string, endpoint: string): Promise<boolean> {
  const r = await db.query('DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2', [
    userId,
    endpoint,
  ]);
  return r.rowCount > 0;
}

/** The push service said the subscription is gone (404/410): forget it and what was queued for it. */
export async function dropSubscription(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
}

interface PreferencesRow {
  quiet_start: number | null;
  quiet_end: number | null;
  time_zone: string;
  reminder_minutes: number;
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export async function getPreferences(db: Queryable, userId: string): Promise<Preferences> {
  const p = (await db.query<PreferencesRow>('SELECT * FROM push_preferences WHERE user_id = $1', [userId]))
    .rows[0];
  const follows = (
    await db.query<{ city: Preferences['aqi'][number]['city']; above: number }>(
      'SELECT city, above FROM push_aqi_follows WHERE user_id = $1 ORDER BY city',
      [userId],
    )
  ).rows;
  if (!p) return { ...DEFAULT_PREFERENCES, aqi: follows };
  return {
    quietHours:
      p.quiet_start === null || p.quiet_end === null
        ? null
        : { start: hhmm(p.quiet_start), end: hhmm(p.quiet_end) },
    timeZone: p.time_zone,
    appointmentReminderMinutes: p.reminder_minutes,
    aqi: follows,
  };
}

/** Replaces the user's preferences; a follow whose level is unchanged keeps its alert state. */
export async function putPreferences(db: Db, userId: string, p: Preferences): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO push_preferences (user_id, quiet_start, quiet_end, time_zone, reminder_minutes, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (user_id) DO UPDATE SET quiet_start = $2, quiet_end = $3, time_zone = $4,
         reminder_minutes = $5, updated_at = now()`,
      [
        userId,
        p.quietHours ? minutes(p.quietHours.start) : null,
        p.quietHours ? minutes(p.quietHours.end) : null,
        p.timeZone,
        p.appointmentReminderMinutes,
      ],
    );
    await tx.query('DELETE FROM push_aqi_follows WHERE user_id = $1 AND NOT (city = ANY($2::text[]))', [
      userId,
      p.aqi.map((f) => f.city),
    ]);
    for (const f of p.aqi) {
      await tx.query(
        `INSERT INTO push_aqi_follows (user_id, city, above) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, city) DO UPDATE SET above = $3,
           alerted = CASE WHEN push_aqi_follows.above = $3 THEN push_aqi_follows.alerted ELSE false END`,
        [userId, f.city, f.above],
      );
    }
  });
}

/** Quiet hours and zone per user, for the sender. */
export async function quietHoursOf(
  db: Queryable,
  userIds: readonly string[],
): Promise<Map<string, { start: number; end: number; timeZone: string }>> {
  const { rows } = await db.query<{
    user_id: string;
    quiet_start: number;
    quiet_end: number;
    time_zone: string;
  }>(
    `SELECT user_id, quiet_start, quiet_end, time_zone FROM push_preferences
     WHERE user_id = ANY($1::text[]) AND quiet_start IS NOT NULL AND quiet_end IS NOT NULL`,
    [userIds],
  );
  return new Map(
    rows.map((r) => [r.user_id, { start: r.quiet_start, end: r.quiet_end, timeZone: r.time_zone }]),
  );
}

/**
 * How long before an appointment each of `userIds` wants its reminder (minutes), for a whole
 * delivery batch in one query. Users without a push subscription are absent: nothing would be
 * queued for them.
 */
export async function reminderMinutesOfUsers(db: Queryable, userIds: string[]): Promise<Map<string, number>> {
  const leads = new Map<string, number>();
  if (userIds.length === 0) return leads;
  const r = await db.query<{ user_id: string; reminder_minutes: number }>(
    `SELECT u.user_id, COALESCE(p.reminder_minutes, $2::int) AS reminder_minutes
     FROM unnest($1::text[]) AS u(user_id)
     LEFT JOIN push_preferences p ON p.user_id = u.user_id
     WHERE EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.user_id = u.user_id)`,
    [[...new Set(userIds)], DEFAULT_PREFERENCES.appointmentReminderMinutes],
  );
  for (const row of r.rows) leads.set(row.user_id, row.reminder_minutes);
  return leads;
}

/**
 * Follows of a city whose alert state changes at this AQI: those above their level and not yet
 * told (returned, and marked told), and those back at or below it (re-armed).
 */
export async function crossAqi(
  tx: Queryable,
  city: string,
  aqi: number,
): Promise<{ userId: string; above: number }[]> {
  await tx.query('UPDATE push_aqi_follows SET alerted = false WHERE city = $1 AND alerted AND above >= $2', [
    city,
    aqi,
  ]);
  const { rows } = await tx.query<{ user_id: string; above: number }>(
    `UPDATE push_aqi_follows SET alerted = true WHERE city = $1 AND NOT alerted AND above < $2
     RETURNING user_id, above`,
    [city, aqi],
  );
  return rows.map((r) => ({ userId: r.user_id, above: r.above }));
}

export interface Enqueue {
  /** Identifies the origin (event id, reminder): enqueuing it again for a subscription adds nothing. */
  sourceKey: string;
  userId: string;
  /** The notice in each language: every subscription is queued the one in its own. */
  notices: Notices;
  /** When to send; now for most. */
  at: Date;
  ttlSeconds: number;
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
  bookingId?: string;
  expiresAt?: Date;
}

/**
 * Queues a notice for every subscription the user has, written in every language: the sender
 * takes the one of the subscription's language when it sends (a reminder queued days ahead
 * follows a language switch made meanwhile). Returns how many were queued.
 */
export async function enqueue(tx: Queryable, e: Enqueue): Promise<number> {
  const r = await tx.query(
    `INSERT INTO push_deliveries (source_key, subscription_id, user_id, booking_id, payload, ttl_seconds, urgency, next_attempt_at, expires_at)
     SELECT $1, s.id, s.user_id, $3, $4::jsonb, $5, $6, $7, $8 FROM push_subscriptions s WHERE s.user_id = $2
     ON CONFLICT (source_key, subscription_id) DO NOTHING`,
    [
      e.sourceKey,
      e.userId,
      e.bookingId ?? null,
      JSON.stringify(e.notices),
      e.ttlSeconds,
      e.urgency ?? 'normal',
      e.at,
      e.expiresAt ?? null,
    ],
  );
  return r.rowCount;
}

/** Withdraws the reminders still queued about a booking (paid, cancelled, expired). */
export async function withdrawReminders(tx: Queryable, bookingId: string): Promise<void> {
  await tx.query('DELETE FROM push_deliveries WHERE booking_id = $1', [bookingId]);
}

export interface DueDelivery {
  id: string;
  user_id: string;
  payload: Notice;
  ttl_seconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  attempts: number;
  expires_at: Date | null;
  subscription_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Takes up to `limit` due deliveries and leases them for `leaseMs` (their next attempt moves
 * past the lease), so another hub polling the same table does not send them too.
 */
export async function claimDue(db: Db, now: Date, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<DueDelivery>(
      `WITH due AS (
         SELECT id FROM push_deliveries WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE push_deliveries d SET next_attempt_at = $3, attempts = d.attempts + 1
       FROM due, push_subscriptions s WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id::text AS id, d.user_id,
         -- the notice in the subscription's language now; a row queued before notices had
         -- languages holds one notice, sent as it is
         COALESCE(d.payload -> s.language, d.payload) AS payload,
         d.ttl_seconds, d.urgency, d.attempts, d.expires_at,
         d.subscription_id, s.endpoint, s.p256dh, s.auth`,
      [now, limit, new Date(now.getTime() + leaseMs)],
    );
    return rows;
  });
}

export async function deliveryDone(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM push_deliveries WHERE id = $1', [id]);
}

export async function retryAt(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE push_deliveries SET next_attempt_at = $2 WHERE id = $1', [id, at]);
}
