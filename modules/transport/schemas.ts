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

/** Which service, from where to where, when: a departure's, and a ticket's `departure`. */
export const ticketDeparture = z.object({
  serviceNo: z.string(),
  mode: z.enum(['coach', 'rail']),
  from: stop,
  to: stop,
  departAt: z.string(),
  arriveAt: z.string(),
});

export const departureResponse = ticketDeparture.extend({
  id: z.string(),
  operator: z.string(),
  /** The operator in other languages (language tag → name), as `stationNames`. */
  operatorNames: localizedNames,
  price: z.string(),
  currency: z.literal('CNY'),
  seatsFree: z.number(),
  seatsTotal: z.number(),
});

/** GET /v1/transport/departures */
export const departureList = z.object({ items: z.array(departureResponse) });
