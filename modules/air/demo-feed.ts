// The demo feed: a small local HTTP server that serves plausible, slowly drifting readings for the
// demo stations as a JSON feed, with ETag and Last-Modified. The ordinary poller pulls it like any
// other `mapping` source, so the demo exercises the real pull path end to end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AirSource } from '../../core/config/sections/air.ts';
import { DEMO_STATIONS } from './demo-stations.ts';

interface DemoState {
  pm25: number;
  pm10: number;
  o3: number;
  no2: number;
  so2: number;
  co: number;
  temperature: number;
  humidity: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const drift = (v: number, step: number, lo: number, hi: number) =>
  clamp(v + (Math.random() - 0.5) * 2 * step, lo, hi);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export class DemoAirFeed {
  private server: Server | null = null;
  private readonly state = new Map<string, DemoState>();
  private body = '';
  private etag = '';
  private lastModified = '';
  private timer: NodeJS.Timeout | null = null;

  private readonly tickMs: number;

  constructor(tickMs: number) {
    this.tickMs = tickMs;
    for (const s of DEMO_STATIONS) {
      const base = s.city === 'foshan' ? 1.3 : s.city === 'guangzhou' ? 1.15 : 1;
      this.state.set(s.id, {
        pm25: 25 * base,
        pm10: 45 * base,
        o3: 70,
        no2: 35 * base,
        so2: 7,
        co: 0.7,
        temperature: 21,
        humidity: 65,
      });
    }
    this.tick();
  }

  /** A new observation for every station, stamped with the current second. */
  private tick(): void {
    const observedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const stations = DEMO_STATIONS.map((s) => {
      const v = this.state.get(s.id)!;
      v.pm25 = drift(v.pm25, 3, 3, 180);
      v.pm10 = clamp(drift(v.pm10, 4, 8, 260), v.pm25 * 1.2, 300);
      v.o3 = drift(v.o3, 6, 10, 260);
      v.no2 = drift(v.no2, 3, 5, 140);
      v.so2 = drift(v.so2, 0.5, 2, 30);
      v.co = drift(v.co, 0.05, 0.2, 3);
      v.temperature = drift(v.temperature, 0.2, 10, 34);
      v.humidity = drift(v.humidity, 1, 35, 95);
      return {
        code: s.id,
        observedAt,
        pm2_5: round(v.pm25),
        pm10: round(v.pm10),
        o3: round(v.o3),
        no2: round(v.no2),
        so2: round(v.so2),
        co: round(v.co, 2),
        temp_c: round(v.temperature),
        rh: round(v.humidity),
      };
    });
    this.body = JSON.stringify({ generatedAt: observedAt, stations });
    this.etag = `"${Date.parse(observedAt).toString(36)}"`;
    this.lastModified = new Date(observedAt).toUTCString();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.url !== '/feed.json') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers['if-none-match'] === this.etag) {
        res.writeHead(304, { ETag: this.etag }).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ETag: this.etag,
        'Last-Modified': this.lastModified,
      });
      res.end(this.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.timer = setInterval(() => this.tick(), this.tickMs);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed.json`;
  }

  static source(url: string, intervalSeconds: number): AirSource {
    return {
      name: 'demo',
      format: 'mapping',
      url,
      intervalSeconds,
      timeoutSeconds: 5,
      headers: {},
      stations: {},
      mapping: {
        items: 'stations',
        stationId: 'code',
        time: 'observedAt',
        timeFormat: 'iso',
        fields: {
          pm25: 'pm2_5',
          pm10: 'pm10',
          o3: 'o3',
          no2: 'no2',
          so2: 'so2',
          co: 'co',
          temperature: 'temp_c',
          humidity: 'rh',
        },
        units: {},
      },
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
