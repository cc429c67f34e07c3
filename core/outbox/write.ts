// Writes the event announcing a state change into the outbox, inside the caller's transaction:
// the change and its event commit together or not at all. The relay (api/outbox) publishes it.
import { makeEvent } from '../events/envelope.ts';
import { EVENT_TYPES, TOPICS, topicSpec } from '../events/catalog.ts';
import { validateEvent } from '../events/validate.ts';
import { prepared, type Queryable } from '../db/types.ts';
import type { z } from 'zod';
import type { integratorKey } from '../events/keys.ts';
import type {
  Booking,
  IncidentAssigned,
  IncidentNotice,
  IncidentReported,
  IncidentStatusChanged,
  Payment,
} from '../events/services.ts';

export const EVENT_SOURCE = '/citystream/api';

type OutboxEvent =
  | { topic: typeof TOPICS.bookings.name; type: (typeof BOOKING_TYPES)[number]; data: Booking }
  | { topic: typeof TOPICS.payments.name; type: (typeof PAYMENT_TYPES)[number]; data: Payment }
  | {
      topic: typeof TOPICS.incidents.name;
      type:
        | typeof EVENT_TYPES.incidentReported
        | typeof EVENT_TYPES.incidentStatusChanged
        | typeof EVENT_TYPES.incidentAssigned;
      data: IncidentReported | IncidentStatusChanged | IncidentAssigned;
    }
  | { topic: typeof TOPICS.notices.name; type: typeof EVENT_TYPES.incidentNotice; data: IncidentNotice }
  | {
      topic: typeof TOPICS.integratorKeys.name;
      type: typeof EVENT_TYPES.integratorKey;
      data: z.input<typeof integratorKey>;
    };

export const BOOKING_TYPES = [
  EVENT_TYPES.bookingCreated,
  EVENT_TYPES.bookingConfirmed,
  EVENT_TYPES.bookingCancelled,
  EVENT_TYPES.bookingExpired,
] as const;
export const PAYMENT_TYPES = [
  EVENT_TYPES.paymentCreated,
  EVENT_TYPES.paymentSucceeded,
  EVENT_TYPES.paymentFailed,
  EVENT_TYPES.paymentRefunded,
] as const;

/** An outbox row's values (topic, key, event JSON), checked: for callers that insert it in their own statement. */
export interface OutboxRow {
  topic: string;
  key: string;
  event: string;
}

export function outboxRow(e: OutboxEvent, subject: string): OutboxRow {
  const event = makeEvent({ type: e.type, source: EVENT_SOURCE, subject, data: e.data });
  // Checked here, not only by the bus: an event the relay could never publish must fail the change.
  const checked = validateEvent(topicSpec(e.topic)!, event);
  if (!checked.ok) {
    throw new Error(`${checked.reason}: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }
  const key = 'userId' in e.data ? e.data.userId : 'keyId' in e.data ? e.data.keyId : e.data.incidentId;
  return { topic: e.topic, key, event: JSON.stringify(event) };
}

const INSERT = prepared('INSERT INTO outbox (topic, key, event) VALUES ($1, $2, $3)');

export async function recordEvent(tx: Queryable, e: OutboxEvent, subject: string): Promise<void> {
  const row = outboxRow(e, subject);
  await tx.query(INSERT, [row.topic, row.key, row.event]);
}

export const bookingEvent = (type: (typeof BOOKING_TYPES)[number], data: Booking): OutboxEvent => ({
  topic: TOPICS.bookings.name,
  type,
  data,
});
export const paymentEvent = (type: (typeof PAYMENT_TYPES)[number], data: Payment): OutboxEvent => ({
  topic: TOPICS.payments.name,
  type,
  data,
});
