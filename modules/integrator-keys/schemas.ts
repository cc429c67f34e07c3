import { z } from 'zod';

export const integratorKeyView = z.object({
  id: z.string(),
  name: z.string(),
  city: z.string().nullable(),
  stations: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  rotatedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  accepted: z.number(),
  rejected: z.number(),
});
export const integratorKeyList = z.object({ items: z.array(integratorKeyView) });
/** Create and rotate answers: the only time the secret is ever shown. */
export const integratorKeySecret = z.object({ key: integratorKeyView, secret: z.string() });
export type IntegratorKeyView = z.output<typeof integratorKeyView>;
