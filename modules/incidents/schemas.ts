// The incident API's response shapes: the routes declare them (so /openapi.json and the
// serializer use them) and the dashboard takes its types from them (`import type`, erased from
// the bundle).
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../core/events/services.ts';

/** An incident as a caller may see it (`incidentView` in store.ts): the reporter only for staff or the reporter. */
export const incidentResponse = z.object({
  id: z.string(),
  city: z.string(),
  category: z.string(),
  lat: z.number(),
  lon: z.number(),
  address: z.string().optional(),
  /** The pin's district, computed by the hub from the bundled boundaries; null outside them. */
  district: z.object({ zh: z.string(), en: z.string() }).nullable(),
  description: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  statusNote: z.string().optional(),
  photoUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Sent back as If-Match (the ETag) by staff changing it. */
  version: z.number(),
  department: z.string().optional(),
  reporter: z
    .object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() })
    .optional(),
});

/** GET /v1/incidents */
export const incidentList = z.object({ items: z.array(incidentResponse) });

/** /v1/staff/incidents/{id}: the incident with its status history (notes, who, when). */
export const staffIncident = incidentResponse.extend({
  history: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      note: z.string().optional(),
      by: z.string(),
      at: z.string(),
    }),
  ),
});

export type IncidentResponse = z.output<typeof incidentResponse>;
export type StaffIncident = z.output<typeof staffIncident>;
