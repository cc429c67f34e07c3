import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { framedPayload, wsFrameOf } from './ws-frame.ts';

describe('event payloads with their WebSocket frame', () => {
  let wss: WebSocketServer;
  let serverSocket: Duplex;
  let client: WebSocket;

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(wss, 'listening');
    const accepted = once(wss, 'connection') as Promise<[WebSocket, { socket: Duplex }]>;
    client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    await once(client, 'open');
    const [, request] = await accepted;
    serverSocket = request.socket;
  });

  afterAll(() => {
    client.terminate();
    wss.close();
  });

  // Each length form of RFC 6455 §5.2: 7 bits, 16 bits (126..65,535), 64 bits (65,536 and up),
  // with UTF-8 text that a byte/character mix-up would break.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 300_000])(
    'is the text of its parts, and its frame reaches a ws client as that text (%i bytes)',
    async (bytes) => {
      const text = '空'.repeat(Math.floor(bytes / 3)) + 'a'.repeat(bytes % 3);
      const cut = Math.floor(text.length / 2);
      const payload = framedPayload([text.slice(0, cut), Buffer.from(text.slice(cut))]);
      expect(payload.length).toBe(bytes);
      expect(payload.toString()).toBe(text);
      const received = once(client, 'message') as Promise<[Buffer, boolean]>;
      serverSocket.write(wsFrameOf(payload)!);
      const [data, isBinary] = await received;
      expect(isBinary).toBe(false);
      expect(data.toString()).toBe(text);
    },
  );

  it('has no frame for a payload made otherwise', () => {
    expect(wsFrameOf(Buffer.from('{"type":"event"}'))).toBeUndefined();
    expect(wsFrameOf('{"type":"ack"}')).toBeUndefined();
  });
});
