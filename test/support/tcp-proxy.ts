// A TCP proxy in front of the hub that a test can sever and restore, to cut a browser's
// WebSocket (and everything else it sends) for real: severing destroys every open connection
// and resets new ones until restored, as a dropped mobile network does. Stalling instead holds
// every byte in both directions without closing anything, as a network that silently stops
// carrying packets does: only heartbeats can tell.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Connections accepted so far (each HTTP keep-alive or WebSocket connection counts once). */
  readonly accepted: number;
  sever(): void;
  /** Stops forwarding on every connection, open or new, without closing any. */
  stall(): void;
  /** Ends a sever or a stall. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let stalled = false;
  const hold = ([a, b]: [Socket, Socket]) => {
    a.unpipe(b);
    b.unpipe(a);
    a.pause();
    b.pause();
  };
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = connect(target);
    open.add(client);
    open.add(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (stalled) return hold(pair);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    sever() {
      cut = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    stall() {
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    restore() {
      cut = false;
      if (stalled) {
        stalled = false;
        for (const [a, b] of pairs) {
          a.pipe(b);
          b.pipe(a);
        }
      }
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
