// The live gateway: WebSocket at GET /ws (the upgrade taken from the process's one HTTP server, ws
// in noServer mode), SSE at GET /sse, long-poll at GET /v1/events, and stream tokens at
// POST /v1/stream/tokens. Every transport's connections share one fanout, and all get heartbeats.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { Component } from '../core/runtime/context.ts';
import { CLOSE_CODES } from './client/protocol.ts';
import { Connection, type ConnectionDeps } from './connection.ts';
import { Fanout } from './fanout.ts';
import { registerLongPoll } from './long-poll.ts';
import { createStreamMetrics } from './metrics.ts';
import { registerSse } from './sse.ts';
import { STREAM_TOKEN_SECONDS, StreamTokens } from './stream-token.ts';
import { WebSocketWire } from './ws-wire.ts';

export const WS_PATH = '/ws';

/** A frame this many times over the limit is not even read: ws closes with 1009. */
const HARD_CAP_FACTOR = 4;

export const gateway: Component = async (ctx) => {
  const config = ctx.config.stream;
  const logger = ctx.logger.child({ component: 'ws' });
  const metrics = createStreamMetrics(ctx.metrics.registry);
  const fanout = new Fanout(ctx.bus, config, logger, metrics);
  await fanout.start();
  ctx.readiness.add('stream', async () => {
    if (!fanout.isReady) throw new Error('rebuilding channel history from the bus');
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes * HARD_CAP_FACTOR,
    perMessageDeflate: config.compression,
    clientTracking: false,
    // One client frame per event-loop turn and socket: a client flooding thousands of tiny
    // frames in one TCP read cannot hold the loop (and every other client, and /healthz) for
    // the whole read. Clients send few frames, so this costs them nothing.
    allowSynchronousEvents: false,
  });
  const connections = new Set<Connection>();
  const sockets = new Map<Connection, WebSocketWire>();
  const polls = new Set<() => void>();
  const deps: ConnectionDeps = { config, tokens: ctx.tokens, fanout, metrics, logger };
  const streamTokens = StreamTokens.fromConfig(config.streamTokenSecret, ctx.config.auth, logger);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      // Nobody else takes upgrades in this process: answer rather than leave the socket hanging.
      if (ctx.http.server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      return;
    }
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    wss.handleUpgrade(request, socket, head, (ws) => {
      const wire = new WebSocketWire(ws, socket);
      const conn = new Connection(wire, deps, { token: tokenOf(request, url) });
      connections.add(conn);
      sockets.set(conn, wire);
      ws.on('message', (data: Buffer, isBinary) => conn.receive(data, isBinary));
      ws.on('error', (err) => logger.debug({ err }, 'websocket error'));
      ws.on('close', () => {
        connections.delete(conn);
        sockets.delete(conn);
        conn.peerClosed();
      });
    });
  };
  ctx.http.server.on('upgrade', onUpgrade);
  registerSse(ctx.http, deps, streamTokens, connections);
  registerLongPoll(ctx.http, deps, streamTokens, polls);
  ctx.http.post(
    '/v1/stream/tokens',
    {
      schema: {
        tags: ['live'],
        summary: `A ${STREAM_TOKEN_SECONDS} s stream token for GET /sse?token= (docs/live.md)`,
        security: [{ bearerAuth: [] }],
        response: {
          201: z.object({
            token: z.string(),
            expiresAt: z.string().describe('when the token stops opening streams'),
          }),
        },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => reply.code(201).send(await streamTokens.mint(request.principal!)),
  );

  const pinger = setInterval(() => {
    for (const [conn, wire] of sockets) {
      if (!wire.ping()) {
        metrics.closed.inc({ reason: 'dead_peer' });
        sockets.delete(conn);
      }
    }
  }, config.pingIntervalMs);
  pinger.unref();
  const heart = setInterval(() => {
    for (const c of connections) c.beat();
  }, config.heartbeatMs);
  heart.unref();

  return {
    async stop() {
      ctx.http.server.off('upgrade', onUpgrade);
      clearInterval(pinger);
      clearInterval(heart);
      for (const c of connections) c.close(CLOSE_CODES.goingAway, 'server shutting down', 'shutdown');
      for (const answer of polls) answer();
      await fanout.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
};

/** `Authorization: Bearer <jwt>` or `?token=<jwt>` (browsers cannot set headers on WebSocket). */
function tokenOf(request: IncomingMessage, url: URL): string | null {
  const header = request.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (m) return m[1]!;
  if (header) return header; // not a Bearer token: verification refuses it with a reason
  return url.searchParams.get('token') || null;
}
