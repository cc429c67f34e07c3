// What the HTTP transports (SSE, long-poll) take from a request, checked before any stream opens:
// the caller (bearer header, or a stream token in `token`), the channels (same names,
// permissions and limits as a /ws subscribe), and where to resume (`since` / `Last-Event-ID`).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError, type Principal } from '../core/auth/index.ts';
import type { StreamConfig } from '../core/config/sections/stream.ts';
import { badRequest, HttpProblem, unauthorized } from '../core/http/index.ts';
import { parseCursor, type Cursor } from './client/cursor.ts';
import { parseChannel, type Channel } from './channels.ts';
import { MAX_CHANNELS_PER_FRAME } from './frames.ts';
import { refusal } from './permissions.ts';
import type { StreamTokens } from './stream-token.ts';

export const channelsParam = z
  .string()
  .min(1, { error: 'expected channel names separated by commas' })
  .max(16_384)
  .describe('channel names separated by commas, e.g. `aqi:city:shenzhen,user:u1`');
export const sinceParam = z
  .string()
  .min(1)
  .max(16_384)
  .describe('the cursor to resume after (`topic/partition:offset,…`, as sent in `id` or `cursor`)')
  .optional();
export const tokenParam = z
  .string()
  .min(1)
  .max(8192)
  .describe('a stream token from `POST /v1/stream/tokens` (for clients that cannot send headers)')
  .optional();

/** The caller: the bearer token the auth hook verified, else a stream token from the query. */
export async function callerOf(
  request: FastifyRequest,
  token: string | undefined,
  streamTokens: StreamTokens,
): Promise<Principal | null> {
  if (request.principal || token === undefined) return request.principal;
  try {
    return await streamTokens.verify(token);
  } catch (err) {
    throw unauthorized(err instanceof AuthError ? err.message : 'invalid stream token');
  }
}

/** The requested channels, or the problem naming the first one that cannot be served. */
export function admitChannels(text: string, principal: Principal | null, config: StreamConfig): Channel[] {
  const names = [...new Set(text.split(',').map((n) => n.trim()))];
  const max = Math.min(MAX_CHANNELS_PER_FRAME, config.maxSubscriptions);
  const field = (message: string) => [{ in: 'querystring', field: 'channels', message }];
  if (names.length > max) {
    const m = `at most ${max} channels per stream`;
    throw badRequest(`channels: ${m}`, field(m));
  }
  const channels: Channel[] = [];
  for (const name of names) {
    const parsed = parseChannel(name);
    if (!parsed.ok) throw badRequest(`channels: ${parsed.message}`, field(parsed.message));
    const refused = refusal(principal, parsed.channel, config.anonymousFamilies);
    if (refused) {
      const status = principal ? 403 : 401;
      throw new HttpProblem(status, status === 403 ? 'Forbidden' : 'Unauthorized', refused, {
        channel: name,
        errors: field(refused),
      });
    }
    channels.push(parsed.channel);
  }
  return channels;
}

/** Where to resume: `Last-Event-ID` (an EventSource reconnecting) before `since`. */
export function resumeFrom(request: FastifyRequest, since: string | undefined): Cursor | null {
  const header = request.headers['last-event-id'];
  const [text, where, field] =
    typeof header === 'string' && header !== ''
      ? [header, 'headers', 'last-event-id']
      : [since, 'querystring', 'since'];
  if (text === undefined) return null;
  const cursor = text.length <= 16_384 ? parseCursor(text) : null;
  if (!cursor) {
    const m = 'expected a cursor "topic/partition:offset,…" as sent in an event id or a poll cursor';
    throw badRequest(`${field}: ${m}`, [{ in: where, field, message: m }]);
  }
  return cursor;
}
