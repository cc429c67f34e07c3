// The SSE transport: GET /sse?channels=a,b streams the frames of /ws as `data:` lines, each event
// and ack with the client's cursor over all its channels as `id:`, so an EventSource that
// reconnects (sending Last-Event-ID) gets exactly what it missed, or `recovered: false`.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { HttpServer } from '../core/http/index.ts';
import { Connection, type ConnectionDeps } from './connection.ts';
import { admitChannels, callerOf, channelsParam, resumeFrom, sinceParam, tokenParam } from './http-input.ts';
import type { StreamTokens } from './stream-token.ts';
import type { Wire } from './wire.ts';

export const SSE_PATH = '/sse';
/** EventSource's reconnect delay (its default is 3 s in Chromium). */
const RETRY_MS = 1_000;
const DATA = Buffer.from('data: ');
const END = Buffer.from('\n\n');

export class SseWire implements Wire {
  readonly transport = 'sse';
  readonly carriesPosition = true;
  private readonly res: ServerResponse;

  constructor(res: ServerResponse) {
    this.res = res;
  }

  send(frame: Buffer | string, position?: string): void {
    const body = typeof frame === 'string' ? Buffer.from(frame) : frame;
    // JSON has no raw line breaks outside strings, but a record is stored as its producer wrote
    // it: each line of it gets its own `data:` (EventSource joins them back with "\n").
    const safe =
      body.includes(10) || body.includes(13)
        ? Buffer.from(body.toString('utf8').replace(/\r\n|\r|\n/g, '\ndata: '))
        : body;
    const head = position === undefined ? DATA : Buffer.from(`id: ${position}\ndata: `);
    this.res.write(Buffer.concat([head, safe, END]));
  }

  get bufferedAmount(): number {
    return this.res.writableLength;
  }

  cork(): void {
    this.res.cork();
  }

  uncork(): void {
    this.res.uncork();
  }

  close(code: number, reason: string): void {
    if (this.res.writableEnded) return;
    this.res.end(`data: ${JSON.stringify({ type: 'close', code, reason })}\n\n`);
  }

  terminate(): void {
    this.res.destroy();
  }

  pauseInput(): void {}

  resumeInput(): void {}
}

export function registerSse(
  app: HttpServer,
  deps: ConnectionDeps,
  streamTokens: StreamTokens,
  connections: Set<Connection>,
): void {
  app.get(
    SSE_PATH,
    {
      schema: {
        tags: ['live'],
        summary: 'Live events as Server-Sent Events (docs/live.md)',
        querystring: z.object({ channels: channelsParam, since: sinceParam, token: tokenParam }),
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const principal = await callerOf(request, request.query.token, streamTokens);
      const channels = admitChannels(request.query.channels, principal, deps.config);
      const since = resumeFrom(request, request.query.since);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx and similar proxies would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n\n`);
      const conn = new Connection(new SseWire(res), deps, {
        principal,
        channels: channels.map((c) => c.name),
        since,
      });
      connections.add(conn);
      res.on('close', () => {
        connections.delete(conn);
        conn.peerClosed();
      });
    },
  );
}
