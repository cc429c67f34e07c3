// The topic catalogue (docs/architecture.md, "Topics"): which topics exist, how they are keyed and kept, and which
// event types each may carry. Kafka topics are created from it at start-up; the embedded bus
// uses the same partition counts so positions mean the same thing on both.
import type { z } from 'zod';
import { airReading } from './air.ts';
import { cameraConfig, cameraSnapshot, cameraStatus } from './cameras.ts';
import { deadLetter } from './dlq.ts';
import { integratorKey } from './keys.ts';
import {
  booking,
  incidentAssigned,
  incidentNotice,
  incidentReported,
  incidentStatusChanged,
  payment,
} from './services.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface TopicSpec {
  /** Logical name; the real topic is KAFKA_TOPIC_PREFIX + name. */
  name: string;
  /** What the record key is. */
  key: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  /** For `delete` topics. */
  retentionMs?: number;
  /** Event type → schema of its `data`. */
  events: Record<string, z.ZodType>;
}

export const EVENT_TYPES = {
  airReading: 'city.air.reading.v1',
  airAqi: 'city.air.aqi.v1',
  cameraConfig: 'city.camera.config.v1',
  cameraSnapshot: 'city.camera.snapshot.v1',
  cameraStatus: 'city.camera.status.v1',
  incidentReported: 'city.incident.reported.v1',
  incidentStatusChanged: 'city.incident.status_changed.v1',
  incidentAssigned: 'city.incident.assigned.v1',
  incidentNotice: 'city.incident.notice.v1',
  integratorKey: 'city.integrator_key.v1',
  bookingCreated: 'city.booking.created.v1',
  bookingConfirmed: 'city.booking.confirmed.v1',
  bookingCancelled: 'city.booking.cancelled.v1',
  bookingExpired: 'city.booking.expired.v1',
  paymentCreated: 'city.payment.created.v1',
  paymentSucceeded: 'city.payment.succeeded.v1',
  paymentFailed: 'city.payment.failed.v1',
  paymentRefunded: 'city.payment.refunded.v1',
  deadLetter: 'city.dlq.v1',
} as const;

export const TOPICS = {
  airReadings: {
    name: 'air.readings.v1',
    key: 'station id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    events: { [EVENT_TYPES.airReading]: airReading },
  },
  cameraRegistry: {
    name: 'camera.registry.v1',
    key: 'camera id',
    partitions: 6,
    cleanupPolicy: 'compact',
    events: { [EVENT_TYPES.cameraConfig]: cameraConfig },
  },
  cameraSnapshots: {
    name: 'camera.snapshots.v1',
    key: 'camera id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 6 * HOUR,
    events: { [EVENT_TYPES.cameraSnapshot]: cameraSnapshot },
  },
  cameraStatus: {
    name: 'camera.status.v1',
    key: 'camera id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    events: { [EVENT_TYPES.cameraStatus]: cameraStatus },
  },
  incidents: {
    name: 'incidents.v1',
    key: 'incident id',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    events: {
      [EVENT_TYPES.incidentReported]: incidentReported,
      [EVENT_TYPES.incidentStatusChanged]: incidentStatusChanged,
      [EVENT_TYPES.incidentAssigned]: incidentAssigned,
    },
  },
  notices: {
    name: 'notices.v1',
    key: 'user id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    events: { [EVENT_TYPES.incidentNotice]: incidentNotice },
  },
  integratorKeys: {
    name: 'integrator-keys.v1',
    key: 'key id',
    partitions: 1,
    cleanupPolicy: 'compact',
    events: { [EVENT_TYPES.integratorKey]: integratorKey },
  },
  bookings: {
    name: 'bookings.v1',
    key: 'user id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    events: {
      [EVENT_TYPES.bookingCreated]: booking,
      [EVENT_TYPES.bookingConfirmed]: booking,
      [EVENT_TYPES.bookingCancelled]: booking,
      [EVENT_TYPES.bookingExpired]: booking,
    },
  },
  payments: {
    name: 'payments.v1',
    key: 'user id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    events: {
      [EVENT_TYPES.paymentCreated]: payment,
      [EVENT_TYPES.paymentSucceeded]: payment,
      [EVENT_TYPES.paymentFailed]: payment,
      [EVENT_TYPES.paymentRefunded]: payment,
    },
  },
  dlq: {
    name: 'dlq.v1',
    key: 'source id',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 14 * DAY,
    events: { [EVENT_TYPES.deadLetter]: deadLetter },
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export const TOPIC_SPECS: readonly TopicSpec[] = Object.values(TOPICS);

export function topicSpec(name: string): TopicSpec | undefined {
  return TOPIC_SPECS.find((t) => t.name === name);
}
