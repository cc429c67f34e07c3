// The live protocol (docs/live.md): JSON frames, the same on every transport (WebSocket text
// frames, SSE `data:` lines, long-poll response items). Shared by the gateway and the SDK, so it
// imports nothing and runs in browsers as well as Node.

/** Client → server. `id` is echoed in the answer so a client can match it. */
export type ClientFrame =
  | {
      type: 'subscribe';
      id?: number;
      channels: string[];
      /** Per channel, the cursor (or a single `partition:offset`) of the last event the client has. */
      since?: Record<string, string>;
    }
  | { type: 'unsubscribe'; id?: number; channels: string[] }
  | { type: 'auth'; id?: number; token: string }
  | { type: 'ping'; id?: number };

export type TransportKind = 'websocket' | 'sse' | 'poll';

export interface HelloFrame {
  type: 'hello';
  /** The transport this stream runs over (`websocket` or `sse`; long-poll has no hello). */
  transport?: TransportKind;
  /**
   * Milliseconds between `heartbeat` frames. A link silent for 2 × this + 1 s is dead
   * ({@link silenceBoundMs}).
   */
  heartbeatMs?: number;
  /** The principal of the connection, or null when anonymous. */
  user: { sub: string; role: string; exp?: number } | null;
  limits: {
    maxSubscriptions: number;
    maxMessageBytes: number;
    messageRate: number;
    messageBurst: number;
    sendBufferBytes: number;
  };
}

export interface SubscribedFrame {
  type: 'subscribed';
  id?: number;
  channels: string[];
  /** false when at least one channel's `since` was not covered by the history window. */
  recovered: boolean;
  /** Channels whose `since` could not be honoured: refetch their state over HTTP. */
  unrecovered: string[];
  /** Per channel, the cursor the client has once the events that follow this frame are in. */
  cursors: Record<string, string>;
}

export interface EventFrame<T = unknown> {
  type: 'event';
  channel: string;
  /** Logical topic the event came from; `pos` is a position in that topic. */
  topic: string;
  /** `partition:offset` of the Kafka record: the same on every gateway. */
  pos: string;
  event: { id: string; type: string; source: string; time: string; subject?: string; data: T };
}

export type ServerFrame =
  | HelloFrame
  | SubscribedFrame
  | { type: 'unsubscribed'; id?: number; channels: string[] }
  | { type: 'authenticated'; id?: number; user: { sub: string; role: string; exp?: number } }
  | { type: 'pong'; id?: number }
  /** Sent every `heartbeatMs` on every open stream: proof that the link still carries frames. */
  | { type: 'heartbeat' }
  /** SSE only (WebSocket has close frames): the stream ends with this code and reason. */
  | { type: 'close'; code: number; reason: string }
  | EventFrame
  | ErrorFrame;

export interface ErrorFrame {
  type: 'error';
  /** The id of the client frame this answers, when it had one. */
  id?: number;
  code: ErrorCode;
  message: string;
  /** The channel concerned, for per-channel refusals. */
  channel?: string;
}

export const ERROR_CODES = [
  /** Not JSON, not an object, unknown `type`, or a field of the wrong shape. */
  'bad_request',
  /** The frame is larger than `maxMessageBytes`; it was dropped. */
  'message_too_large',
  /** More frames than `messageRate`/`messageBurst` allow; the frame was dropped. */
  'rate_limited',
  /** Not a channel name this gateway knows. */
  'unknown_channel',
  /** The channel needs a token (anonymous) or belongs to another user. */
  'forbidden',
  /** The token given in an `auth` frame was refused; the connection keeps its previous identity. */
  'unauthorized',
  /** Subscribing would exceed `maxSubscriptions`. */
  'subscription_limit',
  /** A `since` value is not a cursor. */
  'bad_since',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Close codes the gateway uses (4000-4999 are application codes). */
export const CLOSE_CODES = {
  /** The server is shutting down; reconnect (to another gateway) with `since`. */
  goingAway: 1001,
  /** A frame above the hard size cap (4 × maxMessageBytes). */
  messageTooBig: 1009,
  internalError: 1011,
  /** The token presented at connect time is invalid, or the connection's token expired. */
  unauthorized: 4401,
  /** The send buffer passed its limit on a channel that cannot be conflated. */
  slowConsumer: 4008,
} as const;

/** Silence after which a client treats a link as dead: two heartbeats missed, plus 1 s of slack. */
export const silenceBoundMs = (heartbeatMs: number): number => 2 * heartbeatMs + 1_000;

/** The answer of `GET /v1/events` (long-poll). */
export interface PollResponse<T = unknown> {
  /** Event frames after `since`, in order within each partition, as on the other transports. */
  events: EventFrame<T>[];
  /** Where the client is now over all its channels: send it as `since` in the next poll. */
  cursor: string;
  /** Per channel, the cursor once `events` are in (as in `subscribed`). */
  cursors: Record<string, string>;
  /** false when `since` was older than the history for at least one channel. */
  recovered: boolean;
  unrecovered: string[];
}
