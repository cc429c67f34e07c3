// The bills API's response shape: the route declares it (so /openapi.json and the serializer use
// it) and the dashboard takes its type from it (`import type`, erased from the bundle).
import { z } from 'zod';

export const billResponse = z.object({
  id: z.string(),
  period: z.string(),
  kwh: z.number(),
  amount: z.string(),
  currency: z.literal('CNY'),
  dueDate: z.string(),
  status: z.string(),
  paidAt: z.string().optional(),
});

/** GET /v1/utilities/electricity/accounts/{accountNo}/bills: `account` is null for an unknown number. */
export const billList = z.object({
  account: z
    .object({ accountNo: z.string(), city: z.string(), holder: z.string(), address: z.string() })
    .nullable(),
  items: z.array(billResponse),
});
