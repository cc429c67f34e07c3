import { z } from 'zod';

/** A record nobody could use, kept with the reason so an operator can fix and replay it. */
export const deadLetter = z.object({
  /** Where it was met: a topic for consumed records, or an ingest path such as `ingest:http`. */
  origin: z.string().min(1),
  topic: z.string().optional(),
  partition: z.number().int().nonnegative().optional(),
  offset: z.string().optional(),
  key: z.string().nullable().optional(),
  reason: z.string().min(1),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).default([]),
  /** The untouched bytes, base64, so nothing is lost even when they are not valid UTF-8. */
  raw: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.infer<typeof deadLetter>;
