import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LastFrame, textFrame } from './ws-frame.ts';

describe('pre-built WebSocket text frames', () => {
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

  afterAll(async () => {
    client.terminate();
    wss.close();
  });

  // Each length form of RFC 6455 §5.2: 7 bits, 16 bits (126..65,535), 64 bits (65,536 and up),
  // with UTF-8 text that a byte/character mix-up would break.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 300_000])(
    'reaches a ws client as the same text message (%i bytes)',
    async (bytes) => {
      const text = '空'.repeat(Math.floor(bytes / 3)) + 'a'.repeat(bytes % 3);
      const payload = Buffer.from(text);
      expect(payload.length).toBe(bytes);
      const received = once(client, 'message') as Promise<[Buffer, boolean]>;
      serverSocket.write(textFrame(payload));
      const [data, isBinary] = await received;
      expect(isBinary).toBe(false);
      expect(data.toString()).toBe(text);
    },
  );

  it('builds a payload frame once for consecutive writes and again for another payload', () => {
    const frames = new LastFrame();
    const a = Buffer.from('{"type":"event","n":1}');
    const b = Buffer.from('{"type":"event","n":2}');
    const first = frames.of(a);
    expect(frames.of(a)).toBe(first);
    const other = frames.of(b);
    expect(other).not.toBe(first);
    expect(other.subarray(2).toString()).toBe(b.toString());
    expect(frames.of(a).subarray(2).toString()).toBe(a.toString());
  });
});
