// Events of the city-services API: incidents, bookings (appointments and tickets), payments.
import { z } from 'zod';
import { INCIDENT_STATUSES, PAYMENT_KINDS } from '../domain/statuses.ts';
import { cityId } from './air.ts';

export { INCIDENT_STATUSES, PAYMENT_KINDS } from '../domain/statuses.ts';
export const incidentStatus = z.enum(INCIDENT_STATUSES);

export const incidentReported = z.object({
  incidentId: z.string().min(1),
  city: cityId,
  category: z.string().min(1),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  description: z.string(),
  status: incidentStatus,
  reportedAt: z.iso.datetime({ offset: true }),
  hasPhoto: z.boolean().default(false),
});

export const incidentStatusChanged = z.object({
  incidentId: z.string().min(1),
  city: cityId,
  from: incidentStatus,
  to: incidentStatus,
  note: z.string().optional(),
  changedBy: z.string(),
  changedAt: z.iso.datetime({ offset: true }),
});

/** A staff member assigned an incident to a department (consoles update live). */
export const incidentAssigned = z.object({
  incidentId: z.string().min(1),
  city: cityId,
  department: z.string().min(1),
  changedBy: z.string(),
  changedAt: z.iso.datetime({ offset: true }),
});

/**
 * What the reporter of an incident is told when staff change it, on `user:{reporterId}` only
 * (incidents.v1 feeds public channels and never names the reporter).
 */
export const incidentNotice = z.object({
  userId: z.string().min(1),
  incidentId: z.string().min(1),
  city: cityId,
  from: incidentStatus,
  status: incidentStatus,
  note: z.string().optional(),
  changedAt: z.iso.datetime({ offset: true }),
});

export const BOOKING_KINDS = ['appointment', 'ticket'] as const;
export const booking = z.object({
  bookingId: z.string().min(1),
  userId: z.string().min(1),
  kind: z.enum(BOOKING_KINDS),
  status: z.string().min(1),
  /** Amount due in CNY as a decimal string, e.g. "25.00"; absent when free. */
  amount: z
    .string()
    .regex(/^\d+\.\d{2}$/)
    .optional(),
  details: z.record(z.string(), z.unknown()).default({}),
  at: z.iso.datetime({ offset: true }),
});

export const payment = z.object({
  paymentId: z.string().min(1),
  userId: z.string().min(1),
  kind: z.enum(PAYMENT_KINDS),
  targetId: z.string().min(1),
  amount: z.string().regex(/^\d+\.\d{2}$/),
  currency: z.literal('CNY'),
  status: z.string().min(1),
  reason: z.string().optional(),
  at: z.iso.datetime({ offset: true }),
});

export type IncidentReported = z.infer<typeof incidentReported>;
export type IncidentStatusChanged = z.infer<typeof incidentStatusChanged>;
export type IncidentAssigned = z.infer<typeof incidentAssigned>;
export type IncidentNotice = z.infer<typeof incidentNotice>;
export type Booking = z.infer<typeof booking>;
export type Payment = z.infer<typeof payment>;
