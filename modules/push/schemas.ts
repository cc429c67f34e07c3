// The push API's request and response shapes: the routes declare them (so /openapi.json and the
// serializer use them) and the dashboard takes its types from them (`import type`).
import { z } from 'zod';
import { CITY_IDS } from '../../core/domain/cities.ts';
import { API_LANGUAGES } from '../../core/http/language.ts';

/** Base64url without padding, of an exact decoded length. */
const base64url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `expected base64url (${what})` })
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, {
      error: `expected ${bytes} bytes in base64url (${what})`,
    });

/** What `PushSubscription.toJSON()` gives in the browser. */
export const subscriptionInput = z.object({
  endpoint: z
    .url({ protocol: /^https$/, error: 'expected the https:// endpoint of a push service' })
    .max(1024),
  expirationTime: z.number().int().nonnegative().nullable().optional(),
  keys: z.object({
    p256dh: base64url(65, 'the subscription P-256 public key').refine(
      (v) => Buffer.from(v, 'base64url')[0] === 0x04,
      { error: 'expected an uncompressed P-256 point' },
    ),
    auth: base64url(16, 'the subscription auth secret'),
  }),
  /**
   * The language this browser's notifications are written in: the page's. Absent, the request's
   * Accept-Language decides (Chinese when it prefers any Chinese, else English).
   */
  language: z.enum(API_LANGUAGES, { error: `expected one of ${API_LANGUAGES.join(', ')}` }).optional(),
});
export type SubscriptionInput = z.output<typeof subscriptionInput>;

export const unsubscribeInput = z.object({ endpoint: z.string().min(1).max(1024) });

export const subscriptionResponse = z.object({
  id: z.string(),
  endpoint: z.string(),
  /** The language its notifications are written in. */
  language: z.enum(API_LANGUAGES),
  createdAt: z.string(),
});

export const vapidKeyResponse = z.object({
  /** Pass to `pushManager.subscribe({ applicationServerKey })`. */
  publicKey: z.string(),
});

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day as HH:MM (00:00-23:59)' });

const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected an IANA time zone like Asia/Shanghai' },
  );

/** CN AQI levels a person may choose (HJ 633-2012 band edges): alerts fire above it. */
export const AQI_ALERT_LEVELS = [50, 100, 150, 200, 300] as const;

export const preferences = z.object({
  /** No notifications between start and end, local time (may wrap midnight); null: none. */
  quietHours: z
    .object({ start: clock, end: clock })
    .refine((q) => q.start !== q.end, { error: 'quiet hours need a start and an end that differ' })
    .nullable(),
  timeZone,
  /** Minutes before an appointment its reminder is sent. */
  appointmentReminderMinutes: z.number().int().min(5).max(2880),
  /** Cities followed for AQI alerts, each with the CN AQI above which to alert. */
  aqi: z
    .array(
      z.object({
        city: z.enum(CITY_IDS),
        above: z
          .number()
          .int()
          .refine((v) => (AQI_ALERT_LEVELS as readonly number[]).includes(v), {
            error: `expected one of ${AQI_ALERT_LEVELS.join(', ')}`,
          }),
      }),
    )
    .max(CITY_IDS.length)
    .refine((list) => new Set(list.map((f) => f.city)).size === list.length, {
      error: 'each city at most once',
    }),
});
export type Preferences = z.output<typeof preferences>;

export const DEFAULT_PREFERENCES: Preferences = {
  quietHours: null,
  timeZone: 'Asia/Shanghai',
  appointmentReminderMinutes: 60,
  aqi: [],
};
