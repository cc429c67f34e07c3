// The load generator of bench/ingest.ts, in a process of its own so its CPU is not counted as the
// hub's: line-protocol requests (the InfluxDB v2 write API Telegraf uses) at an offered rate from
// a few concurrent clients. Each reading's timestamp is the wall clock when its request was sent
// (made unique per station), so the bench can measure ingest→stored latency where the hub stores.
// Arguments (JSON in argv[2]): url, key, seconds, rate, lines, clients, stations. Reports by IPC.
import { request, Agent } from 'node:http';

interface Load {
  url: string;
  key: string;
  seconds: number;
  rate: number;
  lines: number;
  clients: number;
  stations: string[];
}

export interface LoadResult {
  accepted: number;
  refused: number;
  requests: number;
  seconds: number;
  /** Request round trips (send → reply), ms, ascending. */
  replyMs: number[];
  firstRefusal: string | null;
}

const load = JSON.parse(process.argv[2]!) as Load;
const agent = new Agent({ keepAlive: true, maxSockets: load.clients });
const lastTime = new Map<string, number>();

function body(seq: number, sentAt: number): string {
  let out = '';
  for (let i = 0; i < load.lines; i++) {
    const stationId = load.stations[(seq * load.lines + i) % load.stations.length]!;
    const time = Math.max(sentAt, (lastTime.get(stationId) ?? 0) + 1);
    lastTime.set(stationId, time);
    out += `air,stationId=${stationId},host=bench pm25=${20 + (i % 50)},pm10=40,no2=30i,o3=70,humidity=60.5 ${time}000000\n`;
  }
  return out;
}

function post(payload: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      load.url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Token ${load.key}`,
          'content-type': 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c.length < 2_000 ? c : c.slice(0, 2_000)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const result: LoadResult = {
  accepted: 0,
  refused: 0,
  requests: 0,
  seconds: 0,
  replyMs: [],
  firstRefusal: null,
};
let seq = 0;
const t0 = Date.now();
const deadline = t0 + load.seconds * 1000;
await Promise.all(
  Array.from({ length: load.clients }, async () => {
    while (Date.now() < deadline) {
      const due = t0 + (seq * load.lines * 1000) / load.rate;
      const mine = seq++;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (Date.now() >= deadline) break;
      const sentAt = Date.now();
      const res = await post(body(mine, sentAt)).catch((err: Error) => ({ status: 0, text: err.message }));
      result.requests++;
      result.replyMs.push(Date.now() - sentAt);
      if (res.status === 204) result.accepted += load.lines;
      else {
        result.refused += load.lines;
        result.firstRefusal ??= `HTTP ${res.status} ${res.text.slice(0, 500)}`;
      }
    }
  }),
);
result.seconds = (Date.now() - t0) / 1000;
result.replyMs.sort((a, b) => a - b);
agent.destroy();
process.send!(result, () => process.exit(0));
