// The fines API's response shape: the route declares it (so /openapi.json and the serializer use
// it) and the dashboard takes its type from it (`import type`, erased from the bundle).
import { z } from 'zod';
import { localizedNames } from '../../core/events/names.ts';

export const fineResponse = z.object({
  id: z.string(),
  city: z.string(),
  plate: z.string(),
  offence: z.string(),
  /** The offence in other languages (language tag → text): a page shows its language's. */
  offences: localizedNames,
  location: z.string(),
  /** Where it happened, in other languages, as `offences`. */
  locations: localizedNames,
  occurredAt: z.string(),
  amount: z.string(),
  currency: z.literal('CNY'),
  points: z.number(),
  status: z.string(),
  paidAt: z.string().optional(),
});

/** GET /v1/fines */
export const fineList = z.object({ items: z.array(fineResponse) });
