// The WebSocket gateway at GET /ws: takes the upgrade from the process's one HTTP server
// (ws in noServer mode), authenticates, pings, and wires connections to the fanout.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Component } from '../core/runtime/context.ts';
import { CLOSE_CODES } from './client/protocol.ts';
import { Connection } from './connection.ts';
import { Fanout } from './fanout.ts';
import { createStreamMetrics } from './metrics.ts';

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
      const conn = new Connection(
        ws,
        socket,
        { config, tokens: ctx.tokens, fanout, metrics, logger },
        tokenOf(request, url),
      );
      connections.add(conn);
      ws.on('close', () => connections.delete(conn));
    });
  };
  ctx.http.server.on('upgrade', onUpgrade);

  const pinger = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, config.pingIntervalMs);
  pinger.unref();

  return {
    async stop() {
      ctx.http.server.off('upgrade', onUpgrade);
      clearInterval(pinger);
      for (const c of connections) c.close(CLOSE_CODES.goingAway, 'server shutting down', 'shutdown');
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
