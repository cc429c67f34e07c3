// The long-poll transport, for networks that buffer streams: GET /v1/events?channels=…&since=…
// answers with the events after `since` at once, or waits up to `wait` seconds for the next ones,
// and gives the cursor to send as the next `since`. Each poll registers with the fanout like a
// connection for its lifetime and receives the same shared frames; its answer is bounded by the
// send-buffer limit (the rest comes with the next poll).
import { z } from 'zod';
import type { HttpServer } from '../core/http/index.ts';
import { formatCursor, mergeCursor, tpKey, type Cursor } from './client/cursor.ts';
import { channelFeeds, type Channel } from './channels.ts';
import { lastOfRecord, type ConnectionDeps } from './connection.ts';
import type { Subscriber } from './fanout.ts';
import type { Entry } from './history.ts';
import { admitChannels, callerOf, channelsParam, resumeFrom, sinceParam, tokenParam } from './http-input.ts';
import type { StreamTokens } from './stream-token.ts';

export const POLL_PATH = '/v1/events';
export const MAX_WAIT_SECONDS = 30;

interface Outcome {
  frames: Buffer[];
  position: Cursor;
  cursors: Record<string, string>;
  unrecovered: string[];
}

/** One poll: subscribed to its channels until it answers. */
class Poll implements Subscriber {
  private readonly frames: Buffer[] = [];
  private bytes = 0;
  private done = false;
  private readonly position: Cursor = new Map();
  private readonly heads: Cursor = new Map();
  private readonly feeds = new Map<string, string[]>();
  private readonly skips = new Map<string, Map<string, number>>();
  private readonly unrecovered: string[] = [];
  /** Partitions whose last record taken still has entries to come on other channels. */
  private readonly partial = new Set<string>();
  private readonly names: Set<string>;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  private readonly deps: ConnectionDeps;
  private readonly channels: Channel[];
  private readonly limit: number;

  constructor(deps: ConnectionDeps, channels: Channel[]) {
    this.deps = deps;
    this.channels = channels;
    this.names = new Set(channels.map((c) => c.name));
    this.limit = deps.config.sendBufferBytes;
  }

  /** Registers on every channel (in one tick, so nothing slips between) and takes the replays. */
  start(since: Cursor | null): void {
    const { fanout, metrics } = this.deps;
    for (const channel of this.channels) {
      const feeds = channelFeeds(channel).map(([t, p]) => tpKey(t, p));
      this.feeds.set(channel.name, feeds);
      // The entries of `since` for this channel's partitions; none: it starts live.
      let own: Cursor | null = null;
      for (const tp of feeds) {
        const at = since?.get(tp);
        if (at !== undefined) (own ??= new Map()).set(tp, at);
      }
      const r = fanout.subscribe(this, channel, own, this.limit - this.bytes);
      if (r.skip) this.skips.set(channel.name, r.skip);
      for (const [tp, head] of r.cursor) {
        // Until its replay is in, the client is only as far as its least advanced channel.
        const at = (own && r.recovered ? own.get(tp) : undefined) ?? head;
        this.position.set(tp, Math.min(at, this.position.get(tp) ?? at));
        this.heads.set(tp, Math.max(head, this.heads.get(tp) ?? head));
      }
      if (own) {
        if (r.cut) metrics.replaysCut.inc();
        metrics.recoveries.inc({ recovered: String(r.recovered) });
      }
      if (!r.recovered) this.unrecovered.push(channel.name);
      for (const e of r.replay) this.take(channel.name, e);
    }
    mergeCursor(this.position, this.heads);
    this.partial.clear(); // every replayed record is in whole
  }

  get hasNews(): boolean {
    return this.frames.length > 0 || this.unrecovered.length > 0;
  }

  deliver(channel: string, entry: Entry): void {
    if (this.done) return;
    const skip = this.skips.get(channel)?.get(entry.tp);
    if (skip !== undefined && entry.offset <= skip) return;
    const midRecord = this.position.get(entry.tp) === entry.offset - 1 && this.partial.has(entry.tp);
    if (this.bytes + entry.frame.length > this.limit && this.frames.length > 0 && !midRecord) {
      // Full: what is not taken stays after the cursor, for the next poll.
      this.finish();
      return;
    }
    const complete = this.take(channel, entry);
    // Answer once the record is complete and the batch being fanned out is done.
    if (complete && this.wake) setImmediate(this.wake);
  }

  /** Takes an event; true when it completes its record for this poll's channels. */
  private take(channel: string, entry: Entry): boolean {
    this.frames.push(entry.frame);
    this.bytes += entry.frame.length;
    const complete = lastOfRecord(entry, channel, this.names);
    if (complete) this.partial.delete(entry.tp);
    else this.partial.add(entry.tp);
    const upTo = complete ? entry.offset : entry.offset - 1;
    const at = this.position.get(entry.tp);
    if (at === undefined || upTo > at) this.position.set(entry.tp, upTo);
    return complete;
  }

  /** Resolves after `ms`, or as soon as events arrive, or on `finish`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  finish(): Outcome {
    if (!this.done) {
      this.done = true;
      if (this.timer) clearTimeout(this.timer);
      for (const c of this.channels) this.deps.fanout.unsubscribe(this, c.name);
      this.wake?.();
    }
    const cursors: Record<string, string> = {};
    for (const [name, tps] of this.feeds) {
      const own: Cursor = new Map();
      for (const tp of tps) own.set(tp, this.position.get(tp) ?? -1);
      cursors[name] = formatCursor(own);
    }
    return { frames: this.frames, position: this.position, cursors, unrecovered: this.unrecovered };
  }
}

export function registerLongPoll(
  app: HttpServer,
  deps: ConnectionDeps,
  streamTokens: StreamTokens,
  polls: Set<() => void>,
): void {
  app.get(
    POLL_PATH,
    {
      schema: {
        tags: ['live'],
        summary: 'Live events by long-poll (docs/live.md)',
        querystring: z.object({
          channels: channelsParam,
          since: sinceParam,
          wait: z.coerce
            .number()
            .int()
            .min(0)
            .max(MAX_WAIT_SECONDS)
            .default(25)
            .describe('seconds to wait for events when there are none after `since`'),
          token: tokenParam,
        }),
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const principal = await callerOf(request, request.query.token, streamTokens);
      const channels = admitChannels(request.query.channels, principal, deps.config);
      const since = resumeFrom(request, request.query.since);
      await deps.fanout.ready();
      const poll = new Poll(deps, channels);
      poll.start(since);
      const stop = () => void poll.finish();
      polls.add(stop);
      const gone = () => stop();
      request.raw.on('close', gone);
      try {
        if (!poll.hasNews && request.query.wait > 0) await poll.wait(request.query.wait * 1000);
      } finally {
        polls.delete(stop);
        request.raw.off('close', gone);
      }
      const out = poll.finish();
      deps.metrics.sent.inc(out.frames.length);
      const tail = JSON.stringify({
        cursor: formatCursor(out.position),
        cursors: out.cursors,
        recovered: out.unrecovered.length === 0,
        unrecovered: out.unrecovered,
      });
      // The frames as the fanout built them, not parsed and encoded again.
      const body = Buffer.concat([
        Buffer.from('{"events":['),
        ...out.frames.flatMap((f, i) => (i === 0 ? [f] : [COMMA, f])),
        Buffer.from(`],${tail.slice(1)}`),
      ]);
      return reply.header('cache-control', 'no-store').type('application/json').send(body);
    },
  );
}

const COMMA = Buffer.from(',');
