// Helpers for tests and benches that talk to a gateway over real sockets: a raw client that
// records every frame and close, and builders for the events the gateway fans out.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../core/config/index.ts';
import { makeEvent, type CloudEvent } from '../../core/events/envelope.ts';
import { EVENT_TYPES } from '../../core/events/catalog.ts';
import type { AirReading } from '../../core/events/air.ts';
import type { CameraSnapshot } from '../../core/events/cameras.ts';
import type { Payment } from '../../core/events/services.ts';
import type { CityId } from '../../core/domain/cities.ts';
import { Hub } from '../../app/hub.ts';
import type { ServerFrame } from '../../stream/client/protocol.ts';

/** An in-process hub running only the stream role on 127.0.0.1 (any free port), quiet logs. */
export function startGatewayHub(env: Record<string, string> = {}): Promise<Hub> {
  return Hub.start(
    loadConfig({
      CITYSTREAM_HTTP_PORT: '0',
      CITYSTREAM_HTTP_HOST: '127.0.0.1',
      CITYSTREAM_ROLES: 'stream',
      CITYSTREAM_DEMO: '0',
      CITYSTREAM_LOG_LEVEL: 'warn',
      CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'citystream-gateway-')),
      ...env,
    }),
  );
}

export class RawClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly opened: Promise<void>;

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as ServerFrame));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  static async connect(
    url: string,
    options: { token?: string; headers?: Record<string, string>; autoPong?: boolean } = {},
  ): Promise<RawClient> {
    const headers = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const c = new RawClient(new WebSocket(url, { headers, autoPong: options.autoPong ?? true }));
    await c.opened;
    return c;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}

export function reading(stationId: string, city: CityId, pm25: number): CloudEvent<AirReading> {
  return makeEvent({
    type: EVENT_TYPES.airReading,
    source: 'test',
    subject: stationId,
    data: { stationId, city, time: new Date().toISOString(), pm25 },
  });
}

export function payment(userId: string, status = 'succeeded'): CloudEvent<Payment> {
  return makeEvent({
    type: EVENT_TYPES.paymentSucceeded,
    source: 'test',
    data: {
      paymentId: randomUUID(),
      userId,
      kind: 'traffic_fine',
      targetId: 'F-1',
      amount: '200.00',
      currency: 'CNY',
      status,
      at: new Date().toISOString(),
    },
  });
}

export function snapshot(
  cameraId: string,
  city: CityId,
  sequence: number,
  padBytes = 0,
): CloudEvent<CameraSnapshot> {
  return makeEvent({
    type: EVENT_TYPES.cameraSnapshot,
    source: 'test',
    data: {
      cameraId,
      city,
      time: new Date().toISOString(),
      url: `http://camera-worker.local/v1/cameras/${cameraId}/snapshots/${sequence}.jpg?pad=${'x'.repeat(padBytes)}`,
      width: 640,
      height: 360,
      bytes: 1000,
      etag: `"${sequence}"`,
      sequence,
    },
  });
}
