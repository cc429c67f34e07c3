// Validation of client frames, with messages that name the field and what was expected.
import { z } from 'zod';
import type { ClientFrame } from './client/protocol.ts';

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional();
/**
 * Channels in one subscribe/unsubscribe frame. Each refused channel draws its own error reply, so
 * this bounds the replies (and the gateway's work in one turn) a single frame can cause.
 */
export const MAX_CHANNELS_PER_FRAME = 200;
const channels = z
  .array(z.string(), { error: 'expected an array of channel names' })
  .min(1, { error: 'expected at least one channel' })
  .max(MAX_CHANNELS_PER_FRAME, {
    error: `at most ${MAX_CHANNELS_PER_FRAME} channels per frame; send several frames`,
  });

const clientFrame = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('subscribe'),
      id,
      channels,
      since: z
        .record(z.string(), z.string(), { error: 'expected an object of channel → cursor string' })
        .optional(),
    }),
    z.object({ type: z.literal('unsubscribe'), id, channels }),
    z.object({
      type: z.literal('auth'),
      id,
      token: z.string({ error: 'expected the token as a string' }).min(1).max(8192),
    }),
    z.object({ type: z.literal('ping'), id }),
  ],
  { error: 'expected one of subscribe, unsubscribe, auth, ping' },
);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; id?: number; message: string };

export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'frame must be a JSON object with a "type"' };
  const rawId = (value as { id?: unknown }).id;
  const echo = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : undefined;
  const parsed = clientFrame.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  return { ok: false, id: echo, message: field ? `${field}: ${issue.message}` : issue.message };
}

/** The `id` near the start of a frame, for answering frames refused before they are parsed. */
export function peekId(data: Buffer): number | undefined {
  const m = /"id"\s*:\s*(\d{1,15})/.exec(data.subarray(0, 256).toString('utf8'));
  return m ? Number(m[1]) : undefined;
}
