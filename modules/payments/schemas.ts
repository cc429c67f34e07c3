// The payment API's response shapes: the routes declare them (so /openapi.json and the
// serializer use them) and the dashboard takes its types from them (`import type`, erased from
// the bundle).
import { z } from 'zod';
import { PAYMENT_KINDS, PAYMENT_STATUSES } from '../../core/domain/statuses.ts';

export const paymentResponse = z.object({
  id: z.string(),
  kind: z.enum(PAYMENT_KINDS),
  targetId: z.string(),
  amount: z.string(),
  currency: z.literal('CNY'),
  status: z.enum(PAYMENT_STATUSES),
  failureReason: z.string().optional(),
  providerRef: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** GET /v1/payments */
export const paymentList = z.object({ items: z.array(paymentResponse) });
