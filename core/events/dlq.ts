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
  /** Set when `raw` holds only the first DEAD_LETTER_RAW_MAX bytes: the size of the original. */
  rawBytes: z.number().int().nonnegative().optional(),
  receivedAt: z.iso.datetime({ offset: true }),
  /** Set when a replay of an earlier dead letter (its id) failed again. */
  replayOf: z.string().optional(),
});
export type DeadLetter = z.infer<typeof deadLetter>;

/**
 * Bytes of the original kept in a dead letter: base64 of this fits well under the broker's 1 MiB
 * message limit, so a dead letter can always be published (one that could not be would block its
 * source the way the poison itself would have).
 */
export const DEAD_LETTER_RAW_MAX = 256 * 1024;

export function deadLetterRaw(bytes: Buffer): Pick<DeadLetter, 'raw' | 'rawBytes'> {
  if (bytes.length <= DEAD_LETTER_RAW_MAX) return { raw: bytes.toString('base64') };
  return { raw: bytes.subarray(0, DEAD_LETTER_RAW_MAX).toString('base64'), rawBytes: bytes.length };
}
