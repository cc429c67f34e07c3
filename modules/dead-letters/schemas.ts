import { z } from 'zod';

export const deadLetterView = z.object({
  id: z.string(),
  origin: z.string(),
  topic: z.string().nullable(),
  key: z.string().nullable(),
  reason: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  /** The original bytes, base64. */
  raw: z.string(),
  /** The bytes as UTF-8 text (invalid sequences replaced): display it as text, never as markup. */
  text: z.string(),
  rawBytes: z.number().nullable(),
  replayOf: z.string().nullable(),
  receivedAt: z.string(),
  status: z.enum(['open', 'replayed', 'discarded']),
  replayable: z.boolean(),
});
export const deadLetterList = z.object({ items: z.array(deadLetterView) });
export const deadLetterCounts = z.object({
  items: z.array(z.object({ reason: z.string(), count: z.number() })),
});
export const replayResult = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      ok: z.boolean(),
      target: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});
export type DeadLetterView = z.output<typeof deadLetterView>;
