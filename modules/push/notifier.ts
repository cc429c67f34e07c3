// The push notifier: a consumer group of its own on bookings.v1, payments.v1, incidents.v1 and
// air.readings.v1 (each reading's AQI, computed here) that turns events into queued notifications
// (push_deliveries) and commits. It never calls a push service: the sender (sender.ts) does, so a
// slow or failing push service cannot hold back the event path. Queue rows are keyed by event, so
// a redelivered event queues nothing new.
import type { Logger } from 'pino';
import type { Consumer, TopicDelivery } from '../../core/bus/index.ts';
import type { Bus } from '../../core/bus/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db/types.ts';
import { EVENT_TYPES, TOPICS, type AirAqi } from '../../core/events/index.ts';
import { computeAqi } from '../../core/domain/aqi.ts';
import { aqiEventId } from '../../core/domain/aqi-event.ts';
import { getIncident } from '../incidents/index.ts';
import { NotFound } from '../../core/errors.ts';
import {
  aqiNotice,
  appointmentNotice,
  holdNotice,
  incidentNotice,
  paymentNotice,
  type CityAqi,
} from './messages.ts';
import { crossAqi, enqueue, reminderMinutesOfUsers, withdrawReminders } from './store.ts';

const NOTIFIER_TOPICS = [
  TOPICS.bookings.name,
  TOPICS.payments.name,
  TOPICS.incidents.name,
  TOPICS.airReadings.name,
] as const;
type NotifierTopic = (typeof NOTIFIER_TOPICS)[number];

/** The warning before a ticket hold ends. */
export const HOLD_WARNING_MS = 2 * 60_000;
const DAY_S = 86_400;
const FIRST_START_LOOKBACK_MS = 10 * 60_000;
/** A station silent for this long no longer counts towards its city's AQI. */
const STATION_STALE_MS = 3 * 3_600_000;
/** A city whose worst index holds still has its follows checked this often (a new follow of a
 * city already above its level is alerted within this time). */
export const AQI_RECHECK_MS = 60_000;

export interface NotifierDeps {
  bus: Bus;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Wakes the sender when something is due now. */
  wake: () => void;
}

export function startNotifier(deps: NotifierDeps): Promise<Consumer> {
  const cities = new CityAqiTracker();
  return deps.bus.consume({
    mode: 'group',
    groupId: 'push-notifier',
    topics: NOTIFIER_TOPICS,
    // A new group (first deployment) starts shortly before now rather than replaying a month of
    // payments; record timestamps are wall-clock, so this is not the hub clock.
    start: { timestamp: Date.now() - FIRST_START_LOOKBACK_MS },
    handler: async (batch) => {
      let queued = 0;
      // One look-up of reminder preferences for the batch, not one per booking.
      const leads = await reminderMinutesOfUsers(deps.db, batch.deliveries.flatMap(reminderCandidate));
      for (const d of batch.deliveries) queued += await handle(deps, cities, d, leads);
      if (queued > 0) deps.wake();
    },
  });
}

/** The user of a newly booked appointment, whose reminder preference `handle` will need. */
function reminderCandidate(d: TopicDelivery<NotifierTopic>): string[] {
  if (d.topic !== TOPICS.bookings.name || !d.event || d.event.type !== EVENT_TYPES.bookingCreated) return [];
  return d.event.data.kind === 'appointment' ? [d.event.data.userId] : [];
}

async function handle(
  deps: NotifierDeps,
  cities: CityAqiTracker,
  d: TopicDelivery<NotifierTopic>,
  leads: Map<string, number>,
): Promise<number> {
  if (!d.event) return 0;
  const { db } = deps;
  const now = new Date(deps.clock.now());
  const id = d.event.id;
  switch (d.topic) {
    case TOPICS.payments.name: {
      const p = d.event.data;
      const type = d.event.type;
      if (type !== EVENT_TYPES.paymentSucceeded && type !== EVENT_TYPES.paymentFailed) return 0;
      return enqueue(db, {
        sourceKey: id,
        userId: p.userId,
        notices: paymentNotice(p, type === EVENT_TYPES.paymentSucceeded),
        at: now,
        ttlSeconds: DAY_S,
        urgency: 'high',
      });
    }
    case TOPICS.bookings.name: {
      const b = d.event.data;
      if (d.event.type !== EVENT_TYPES.bookingCreated) {
        // Paid, cancelled or expired: a reminder about it would be wrong. A paid appointment still
        // takes place, so only its cancellation withdraws its reminder.
        if (b.kind === 'ticket' || d.event.type !== EVENT_TYPES.bookingConfirmed) {
          await withdrawReminders(db, b.bookingId);
        }
        return 0;
      }
      if (b.kind === 'ticket' && typeof b.details.holdExpiresAt === 'string') {
        const end = new Date(b.details.holdExpiresAt);
        if (!(end > now)) return 0;
        return enqueue(db, {
          sourceKey: `${id}/hold`,
          userId: b.userId,
          bookingId: b.bookingId,
          notices: holdNotice(b, b.details.holdExpiresAt),
          at: new Date(Math.max(now.getTime(), end.getTime() - HOLD_WARNING_MS)),
          expiresAt: end,
          ttlSeconds: Math.ceil(HOLD_WARNING_MS / 1000),
          urgency: 'high',
        });
      }
      if (b.kind === 'appointment' && typeof b.details.start === 'string') {
        const start = new Date(b.details.start);
        if (!(start > now)) return 0;
        const lead = leads.get(b.userId);
        if (lead === undefined) return 0;
        return enqueue(db, {
          sourceKey: `${id}/reminder`,
          userId: b.userId,
          bookingId: b.bookingId,
          notices: appointmentNotice(b, b.details.start, lead),
          at: new Date(Math.max(now.getTime(), start.getTime() - lead * 60_000)),
          expiresAt: start,
          ttlSeconds: lead * 60,
          urgency: 'high',
        });
      }
      return 0;
    }
    case TOPICS.incidents.name: {
      if (d.event.type !== EVENT_TYPES.incidentStatusChanged) return 0;
      const e = d.event.data;
      const reporter = await reporterOf(db, e.incidentId);
      if (!reporter) return 0;
      return enqueue(db, {
        sourceKey: id,
        userId: reporter,
        notices: incidentNotice(e),
        at: now,
        ttlSeconds: 7 * DAY_S,
      });
    }
    case TOPICS.airReadings.name: {
      const aqi = computeAqi(d.event.data);
      if (!aqi) return 0;
      const worst = cities.update(aqi);
      // Follows only cross when the city's worst index moves: a reading that leaves it where it
      // was costs no database work (readings come by the thousand a second; a transaction each
      // would hold back this consumer, payments and bookings included).
      if (!worst || !cities.due(worst, now.getTime())) return 0;
      // Marking a follow alerted and queueing its notice commit together: one alert per crossing.
      const queued = await db.transaction(async (tx) => {
        let queued = 0;
        for (const f of await crossAqi(tx, worst.city, worst.aqi)) {
          queued += await enqueue(tx, {
            // The key of when AQI events had a topic of their own: no alert twice across the change.
            sourceKey: `${aqiEventId(aqi)}/aqi`,
            userId: f.userId,
            notices: aqiNotice(worst, f.above),
            at: now,
            ttlSeconds: 3 * 3600,
          });
        }
        return queued;
      });
      // Only once committed: a batch retried after a failed transaction checks again.
      cities.checked(worst, now.getTime());
      return queued;
    }
  }
}

async function reporterOf(db: Db, incidentId: string): Promise<string | null> {
  try {
    return (await getIncident(db, incidentId)).reporter_id;
  } catch (err) {
    if (err instanceof NotFound) return null;
    throw err;
  }
}

/** Each city's AQI as its worst station reports it (stations silent for hours left out). */
export class CityAqiTracker {
  private readonly stations = new Map<string, Map<string, { at: number; reading: AirAqi }>>();
  /** Per city, the worst index its follows were last checked against, and when. */
  private readonly lastCheck = new Map<string, { aqi: number; at: number }>();

  /** Whether the city's follows need checking: its worst index moved, or the last check is old. */
  due(worst: CityAqi, now: number): boolean {
    const last = this.lastCheck.get(worst.city);
    return !last || last.aqi !== worst.aqi || now - last.at >= AQI_RECHECK_MS;
  }

  checked(worst: CityAqi, now: number): void {
    this.lastCheck.set(worst.city, { aqi: worst.aqi, at: now });
  }

  /** Records a station's index; returns its city's worst station now. */
  update(a: AirAqi): CityAqi | null {
    const at = Date.parse(a.time);
    let city = this.stations.get(a.city);
    if (!city) {
      city = new Map<string, { at: number; reading: AirAqi }>();
      this.stations.set(a.city, city);
    }
    const prev = city.get(a.stationId);
    if (!prev || prev.at <= at) city.set(a.stationId, { at, reading: a });
    let worst: AirAqi | null = null;
    for (const [station, s] of city) {
      if (s.at < at - STATION_STALE_MS) {
        city.delete(station);
        continue;
      }
      if (!worst || s.reading.cn.aqi > worst.cn.aqi) worst = s.reading;
    }
    return worst
      ? {
          city: a.city,
          aqi: worst.cn.aqi,
          level: worst.cn.level,
          primaryPollutants: worst.cn.primaryPollutants,
        }
      : null;
  }
}
