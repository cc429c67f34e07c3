// The transport API's response shapes for departures: the route declares them (so /openapi.json
// and the serializer use them) and the dashboard takes its types from them (`import type`, erased
// from the bundle).
import { z } from 'zod';
import { localizedNames } from '../../core/events/names.ts';

const stop = z.object({
  city: z.string(),
  station: z.string(),
  /** The station in other languages (language tag → name): a page shows its language's. */
  stationNames: localizedNames,
});

export const departureResponse = z.object({
  id: z.string(),
  mode: z.enum(['coach', 'rail']),
  operator: z.string(),
  serviceNo: z.string(),
  from: stop,
  to: stop,
  departAt: z.string(),
  arriveAt: z.string(),
  price: z.string(),
  currency: z.literal('CNY'),
  seatsFree: z.number(),
  seatsTotal: z.number(),
});

/** A ticket's departure, as ticket answers carry it (`departure`). */
export const ticketDeparture = z.object({
  serviceNo: z.string(),
  mode: z.enum(['coach', 'rail']),
  from: stop,
  to: stop,
  departAt: z.string(),
  arriveAt: z.string(),
});

/** GET /v1/transport/departures */
export const departureList = z.object({ items: z.array(departureResponse) });
