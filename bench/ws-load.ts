// Load generator for bench/ws.ts, run as its own process so the gateway's CPU is measured
// alone: opens N WebSocket connections, subscribes each to the channel, and records every
// event's publish→receive latency (the publisher puts its wall-clock send time, in
// milliseconds with a fraction, in the event's `subject`; both processes share the clock).
// Talks to its parent over IPC: → {ready}, ← {reset}, ← {report} → {report: ...}.
import WebSocket from 'ws';

const url = process.env.BENCH_WS_URL!;
const connections = Number(process.env.BENCH_WS_CONNECTIONS);
/** One channel, or a comma-separated list: connection i subscribes to channel i mod n. */
const channels = process.env.BENCH_WS_CHANNEL!.split(',');
const now = () => performance.timeOrigin + performance.now();

let latencies = new Float64Array(1 << 20);
let count = 0;
let first = 0;
let last = 0;
let closed = 0;
let cpuAtReset = process.cpuUsage();
/** Events sent before this wall-clock time (ms) belong to the warm-up: not counted. */
let countFrom = 0;
const SUBJECT = /"subject":"(\d+(?:\.\d+)?)"/;

function onMessage(data: Buffer): void {
  const t = now();
  const m = SUBJECT.exec(data.toString('latin1', 0, 300));
  if (!m) return;
  const sentAt = Number(m[1]);
  if (sentAt < countFrom) return;
  if (count === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[count++] = t - sentAt;
  if (first === 0) first = t;
  last = t;
}

async function open(): Promise<void> {
  let acked = 0;
  const sockets: WebSocket[] = [];
  // Connect in waves so the listen backlog is not overrun.
  for (let i = 0; i < connections; i += 250) {
    const wave = Array.from(
      { length: Math.min(250, connections - i) },
      (_, j) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          sockets.push(ws);
          ws.on('open', () =>
            ws.send(JSON.stringify({ type: 'subscribe', channels: [channels[(i + j) % channels.length]] })),
          );
          ws.on('message', (data: Buffer) => {
            if (data.toString('latin1', 0, 21) === '{"type":"subscribed",') {
              acked++;
              resolve();
              return;
            }
            onMessage(data);
          });
          ws.on('error', reject);
          ws.on('close', () => closed++);
        }),
    );
    await Promise.all(wave);
  }
  if (acked !== connections) throw new Error(`only ${acked} of ${connections} subscribed`);
}

function report() {
  const sorted = latencies.subarray(0, count).sort();
  const pct = (p: number) => (count ? sorted[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)]! : NaN);
  return {
    received: count,
    firstAt: first,
    lastAt: last,
    p50: pct(50),
    p99: pct(99),
    p999: pct(99.9),
    max: count ? sorted[count - 1]! : NaN,
    closed,
    cpuSeconds: (() => {
      const u = process.cpuUsage(cpuAtReset);
      return (u.user + u.system) / 1e6;
    })(),
  };
}

process.on('message', (msg: { type: string; countFrom?: number }) => {
  if (msg.type === 'reset') {
    countFrom = msg.countFrom ?? now();
    count = 0;
    first = 0;
    last = 0;
    cpuAtReset = process.cpuUsage();
    process.send!({ type: 'reset' });
  } else if (msg.type === 'report') {
    process.send!({ type: 'report', report: report() });
  } else if (msg.type === 'exit') {
    process.exit(0);
  }
});

open().then(
  () => process.send!({ type: 'ready' }),
  (err: unknown) => {
    process.send!({ type: 'failed', error: String(err) });
    process.exit(1);
  },
);
