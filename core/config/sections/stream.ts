// Settings of the stream role: the WebSocket gateway at /ws (limits, history, backpressure).
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { csv, documented, flag, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

/** Channel families (docs/architecture.md, "WebSocket channels") by the prefix before their id. `user` is always private. */
export const CHANNEL_FAMILIES = [
  'air:station',
  'air:city',
  'aqi:city',
  'camera',
  'cameras:city',
  'incidents:city',
  'user',
] as const;
export type ChannelFamily = (typeof CHANNEL_FAMILIES)[number];
type PublicFamily = Exclude<ChannelFamily, 'user'>;
const PUBLIC_FAMILIES = CHANNEL_FAMILIES.filter((f): f is PublicFamily => f !== 'user');

export const streamVariables = {
  CITYSTREAM_WS_ANONYMOUS: documented(
    csv.pipe(
      z
        .array(
          z.enum([...PUBLIC_FAMILIES, 'none'], {
            error: `expected "none" or channel families among ${PUBLIC_FAMILIES.join(', ')} (user channels are never anonymous)`,
          }),
        )
        .refine((v) => !v.includes('none') || v.length === 1, {
          error: '"none" cannot be combined with families',
        })
        .optional(),
    ),
    {
      description: 'channel families a connection without a token may subscribe to',
      type: `\`none\`, or a comma-separated list of ${PUBLIC_FAMILIES.map((f) => `\`${f}\``).join(', ')}`,
      default: 'all of them',
    },
  ),
  CITYSTREAM_WS_MAX_SUBSCRIPTIONS: positiveInt(200, 'channels one connection may subscribe to'),
  CITYSTREAM_WS_MAX_MESSAGE_BYTES: positiveInt(16_384, 'largest client frame in bytes'),
  CITYSTREAM_WS_MESSAGE_RATE: positiveInt(20, 'client frames per second per connection, sustained'),
  CITYSTREAM_WS_MESSAGE_BURST: positiveInt(50, 'client frames a connection may send at once'),
  CITYSTREAM_WS_SEND_BUFFER_BYTES: positiveInt(
    1_048_576,
    'bytes queued for one slow connection before conflating or closing it',
  ),
  CITYSTREAM_WS_PING_INTERVAL_MS: positiveInt(30_000, 'milliseconds between server pings'),
  CITYSTREAM_WS_HISTORY_SIZE: positiveInt(1_000, 'events kept per channel for recovery'),
  CITYSTREAM_WS_HISTORY_SECONDS: positiveInt(300, 'seconds of events kept per channel for recovery'),
  CITYSTREAM_WS_REPLAY_RECORDS: positiveInt(
    20_000,
    'records per partition a starting gateway reads back to rebuild its history',
  ),
  CITYSTREAM_WS_COMPRESSION: documented(flag, {
    description: 'permessage-deflate for clients that offer it',
    default: 'off',
  }),
  CITYSTREAM_WS_FANOUT_CHUNK: positiveInt(
    256,
    'connections one event is written to before the gateway lets other work run (a channel with more subscribers is sent in chunks, one event-loop turn each)',
  ),
  CITYSTREAM_STREAM_WORKERS: documented(
    optionalString.pipe(
      z
        .string()
        .regex(/^(auto|[1-9]\d?)$/, { error: 'expected `auto` or a whole number from 1 to 64' })
        .transform((s) => (s === 'auto' ? ('auto' as const) : Number(s)))
        .refine((n) => n === 'auto' || n <= 64, { error: 'expected `auto` or a whole number from 1 to 64' })
        .optional(),
    ),
    {
      description:
        'gateway processes sharing the listening port (node:cluster), each with its own share of the connections and its own Kafka consumer; more than 1 needs `CITYSTREAM_ROLES=stream` and Kafka',
      type: '`auto` (one per CPU core) or 1-64',
      default: '`1` (the gateway runs in this process)',
    },
  ),
};

export type StreamVariables = Parsed<typeof streamVariables>;

export interface StreamConfig {
  /** Families a connection without a token may subscribe to. */
  anonymousFamilies: ChannelFamily[];
  maxSubscriptions: number;
  maxMessageBytes: number;
  messageRate: number;
  messageBurst: number;
  sendBufferBytes: number;
  pingIntervalMs: number;
  historySize: number;
  historyMs: number;
  replayRecords: number;
  compression: boolean;
  /** Subscribers written per event-loop turn when one event goes to many connections. */
  fanoutChunk: number;
  /** Gateway worker processes (1: in this process). */
  workers: number;
}

/** Why more than one gateway worker cannot run, or null when it can. */
function workersProblem(roles: readonly string[], kafka: boolean): string | null {
  if (roles.length !== 1 || roles[0] !== 'stream')
    return 'more than 1 worker needs CITYSTREAM_ROLES=stream: the ingest and api roles run once per process';
  if (!kafka) return 'more than 1 worker needs KAFKA_BROKERS: the embedded bus lives inside one process';
  return null;
}

export function streamSection(
  v: StreamVariables,
  roles: readonly string[],
  kafka: boolean,
  ctx: z.RefinementCtx,
): StreamConfig {
  const workers =
    v.CITYSTREAM_STREAM_WORKERS === 'auto' ? availableParallelism() : (v.CITYSTREAM_STREAM_WORKERS ?? 1);
  const problem = workers > 1 ? workersProblem(roles, kafka) : null;
  if (problem) ctx.addIssue({ code: 'custom', path: ['CITYSTREAM_STREAM_WORKERS'], message: problem });
  return {
    anonymousFamilies: (v.CITYSTREAM_WS_ANONYMOUS ?? PUBLIC_FAMILIES).filter(
      (f): f is PublicFamily => f !== 'none',
    ),
    maxSubscriptions: v.CITYSTREAM_WS_MAX_SUBSCRIPTIONS,
    maxMessageBytes: v.CITYSTREAM_WS_MAX_MESSAGE_BYTES,
    messageRate: v.CITYSTREAM_WS_MESSAGE_RATE,
    messageBurst: v.CITYSTREAM_WS_MESSAGE_BURST,
    sendBufferBytes: v.CITYSTREAM_WS_SEND_BUFFER_BYTES,
    pingIntervalMs: v.CITYSTREAM_WS_PING_INTERVAL_MS,
    historySize: v.CITYSTREAM_WS_HISTORY_SIZE,
    historyMs: v.CITYSTREAM_WS_HISTORY_SECONDS * 1000,
    replayRecords: v.CITYSTREAM_WS_REPLAY_RECORDS,
    compression: v.CITYSTREAM_WS_COMPRESSION ?? false,
    fanoutChunk: v.CITYSTREAM_WS_FANOUT_CHUNK,
    workers,
  };
}
