// The WebSocket transport of a Connection: frames are text messages; the upgraded TCP socket is
// corked while a batch is written; protocol pings find peers that vanished without a close.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Wire } from './wire.ts';
import { wsFrameOf } from './ws-frame.ts';

export class WebSocketWire implements Wire {
  readonly transport = 'websocket';
  readonly carriesPosition = false;
  /** Cleared by every ping; a peer that has not answered by the next one is dropped. */
  private alive = true;

  private readonly ws: WebSocket;
  private readonly socket: Duplex;
  /** No extension (permessage-deflate) was agreed: frames go to the socket as they are. */
  private readonly plain: boolean;

  constructor(ws: WebSocket, socket: Duplex) {
    this.ws = ws;
    this.socket = socket;
    this.plain = ws.extensions === '';
    ws.on('pong', () => {
      this.alive = true;
    });
  }

  send(frame: Buffer | string): void {
    // Event frames, shared by every subscriber, carry their WebSocket framing (ws-frame.ts):
    // one write of one buffer. Only on an open socket without extensions: a compressed
    // connection needs its own deflate, and after a close frame nothing may follow (ws then
    // refuses the send itself). Everything else goes through ws.
    const framed = this.plain && this.ws.readyState === WebSocket.OPEN ? wsFrameOf(frame) : undefined;
    if (framed) this.socket.write(framed);
    else this.ws.send(frame, { binary: false });
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  pauseInput(): void {
    this.ws.pause();
  }

  resumeInput(): void {
    this.ws.resume();
  }

  /** Pings; false (and the socket dropped) when the previous ping went unanswered. */
  ping(): boolean {
    if (!this.alive) {
      this.ws.terminate();
      return false;
    }
    this.alive = false;
    this.ws.ping();
    return true;
  }
}
