// The hostile loads of issue 11, one function each. Every load runs until its AbortSignal fires
// and never longer: each request has a timeout, uploads stop writing on abort, sockets are
// destroyed. A load reports what it sent and how the hub answered (status counts).
import { randomInt, randomUUID } from 'node:crypto';
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import WebSocket from 'ws';

export interface LoadContext {
  base: string;
  port: number;
  apiKey: string;
  citizenToken: string;
  /** A registered station, so poison readings get past the "unknown station" check. */
  station: string;
  mqttUrl: string | undefined;
  signal: AbortSignal;
}

export interface LoadStats {
  sent: number;
  /** HTTP status (or `timeout`, `error`, `ws:<close code>`) → count. */
  answers: Record<string, number>;
  notes: string[];
}

type Body = Buffer | string | ((write: (chunk: Buffer) => Promise<boolean>) => Promise<void>);

interface Answer {
  status: string;
  bytes: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** One HTTP request; the response body is read and discarded (its size is kept). */
export function send(
  agent: Agent,
  url: string,
  method: string,
  headers: OutgoingHttpHeaders,
  body: Body | undefined,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: string, bytes = 0) => {
      if (settled) return;
      settled = true;
      resolve({ status, bytes });
    };
    const req = request(url, { method, headers, agent, timeout: REQUEST_TIMEOUT_MS, signal }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => done(String(res.statusCode), bytes));
      res.on('error', () => done(String(res.statusCode), bytes));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) =>
      done(err.message === 'timeout' ? 'timeout' : signal.aborted ? 'aborted' : 'error'),
    );
    if (body === undefined) req.end();
    else if (typeof body === 'function') {
      // Streamed upload: stop writing as soon as the hub answers, closes, or the case ends.
      let stopped = false;
      req.on('response', () => (stopped = true));
      req.on('close', () => (stopped = true));
      const write = (chunk: Buffer) =>
        new Promise<boolean>((ok) => {
          if (stopped || signal.aborted || req.destroyed) return ok(false);
          if (req.write(chunk)) return ok(true);
          const onDrain = () => (req.off('close', onClose), ok(!stopped && !signal.aborted));
          const onClose = () => (req.off('drain', onDrain), ok(false));
          req.once('drain', onDrain);
          req.once('close', onClose);
        });
      void body(write).then(
        () => req.end(),
        () => req.destroy(),
      );
    } else req.end(body);
  });
}

function stats(): LoadStats {
  return { sent: 0, answers: {}, notes: [] };
}

function count(s: LoadStats, status: string): void {
  s.sent++;
  s.answers[status] = (s.answers[status] ?? 0) + 1;
}

/** Runs `once` on `concurrency` loops until the signal fires. */
async function loop(concurrency: number, signal: AbortSignal, once: (i: number) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!signal.aborted) await once(i++);
    }),
  );
}

const MIB = 1024 * 1024;

/** (a) NDJSON push where every line is invalid: 30 MiB bodies (the route's limit is 32 MiB). */
export async function ndjsonInvalid(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 30 * MIB; i++) {
    const line = `{"stationId":"NO-SUCH-${i}","time":"yesterday","pm25":"x"}\n`;
    lines.push(line);
    size += line.length;
  }
  const body = Buffer.from(lines.join(''));
  let largest = 0;
  await loop(2, ctx.signal, async () => {
    const a = await send(
      agent,
      `${ctx.base}/v1/ingest/air`,
      'POST',
      { 'x-api-key': ctx.apiKey, 'content-type': 'application/x-ndjson' },
      body,
      ctx.signal,
    );
    count(s, a.status);
    largest = Math.max(largest, a.bytes);
  });
  s.notes.push(
    `${lines.length} invalid lines, ${(body.length / MIB).toFixed(0)} MiB per request; largest answer ${largest} bytes`,
  );
  agent.destroy();
  return s;
}

/** (b) Line protocol, every line invalid, gzip: 30 MiB of lines inflated from ~100 kB. */
export async function lineProtocolInvalidGzip(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 30 * MIB; i++) {
    const line = `air,stationId=NO-SUCH-${i % 1000} pm25="oops",bad field ${i}\n`;
    lines.push(line);
    size += line.length;
  }
  const body = gzipSync(lines.join(''));
  s.notes.push(
    `${lines.length} invalid lines, ${(size / MIB).toFixed(0)} MiB inflated from ${(body.length / 1024).toFixed(0)} KiB`,
  );
  await loop(2, ctx.signal, async () => {
    const a = await send(
      agent,
      `${ctx.base}/api/v2/write?org=x&bucket=y&precision=s`,
      'POST',
      { authorization: `Token ${ctx.apiKey}`, 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      body,
      ctx.signal,
    );
    count(s, a.status);
  });
  agent.destroy();
  return s;
}

/** (c) Unauthenticated huge uploads: 256 MiB streamed per request, plain and gzip. */
export async function unauthenticatedUpload(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: false, maxSockets: 4 });
  const chunk = Buffer.alloc(64 * 1024, '{"stationId":"X","pm25":1}\n');
  const gzChunk = gzipSync(Buffer.alloc(4 * MIB, 'a')); // ~4 KiB that inflates to 4 MiB
  let written = 0;
  await loop(4, ctx.signal, async (i) => {
    const gzip = i % 2 === 1;
    const a = await send(
      agent,
      gzip ? `${ctx.base}/api/v2/write?org=x&bucket=y` : `${ctx.base}/v1/ingest/air`,
      'POST',
      {
        'content-type': gzip ? 'text/plain' : 'application/x-ndjson',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        'transfer-encoding': 'chunked',
      },
      async (write) => {
        // A gzip stream of concatenated members: each 4 KiB member inflates to 4 MiB.
        for (let sent = 0; sent < 256 * MIB;) {
          const c = gzip ? gzChunk : chunk;
          if (!(await write(c))) return;
          sent += c.length;
          written += c.length;
        }
      },
      ctx.signal,
    );
    count(s, a.status);
  });
  s.notes.push(`${(written / MIB).toFixed(0)} MiB written before the hub answered or the case ended`);
  agent.destroy();
  return s;
}

/** (d) Deeply nested JSON, NUL bytes, impossible dates, malformed multipart, unknown methods. */
export async function malformedApi(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const auth = { authorization: `Bearer ${ctx.citizenToken}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const nested = `{"category":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const nestedObjects = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
  const nul = JSON.stringify({
    slotId: 'slot\u0000',
    patient: { name: 'A\u0000B', idNumber: '\u0000'.repeat(18), phone: '\u0000' },
  });
  const boundary = 'abuse';
  const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nno end`;
  const cases: [string, string, OutgoingHttpHeaders, string | undefined][] = [
    ['POST', '/v1/incidents', json, nested],
    ['POST', '/v1/incidents', json, nestedObjects],
    ['POST', '/open311/v2/requests.json', { 'content-type': 'application/json' }, nested],
    ['POST', '/v1/appointments', json, nul],
    ['POST', '/v1/transport/tickets', json, nul],
    ['GET', '/v1/doctors/d1/slots?date=0000-00-00', auth, undefined],
    ['GET', `/v1/fines?plate=${encodeURIComponent('粤\u0000')}&engineNoSuffix=%00`, auth, undefined],
    ['GET', '/v1/incidents?bbox=999,999,-999,-999', auth, undefined],
    [
      'POST',
      '/v1/incidents',
      { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
      multipart,
    ],
    ['PUT', '/v1/incidents', json, '{}'],
    ['DELETE', '/v1/fines', auth, undefined],
  ];
  await loop(4, ctx.signal, async (i) => {
    const [method, path, headers, body] = cases[i % cases.length]!;
    const a = await send(
      agent,
      `${ctx.base}${path}`,
      method,
      { ...headers, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) },
      body,
      ctx.signal,
    );
    count(s, a.status);
    if (a.status.startsWith('5')) {
      const note = `${a.status} on ${method} ${path.slice(0, 60)}`;
      if (!s.notes.includes(note) && s.notes.length < 10) s.notes.push(note);
    }
  });
  agent.destroy();
  return s;
}

/** Channel names the gateway refuses one by one: one frame, two hundred error replies. */
const MANY_UNKNOWN = JSON.stringify({
  type: 'subscribe',
  channels: Array.from({ length: 200 }, (_, i) => `nope:${String(i).padStart(6, '0')}`),
});

/** (e) WebSocket flooders that never read: 20 at a time, each replaced when closed. */
export async function wsFlood(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const open = new Set<WebSocket>();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      if (ctx.signal.aborted) return resolve();
      const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/ws`, { handshakeTimeout: 5_000 });
      open.add(ws);
      let timer: NodeJS.Timeout | undefined;
      ws.on('open', () => {
        ws.pause(); // never read
        for (let i = 0; i < 50; i++) ws.send(MANY_UNKNOWN);
        s.sent += 50;
        timer = setInterval(() => {
          if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > 4 * MIB) return;
          for (let i = 0; i < 1_000; i++) ws.send('{"type":"dance"}');
          s.sent += 1_000;
        }, 50);
      });
      const finish = (key: string) => {
        clearInterval(timer);
        open.delete(ws);
        s.answers[key] = (s.answers[key] ?? 0) + 1;
        resolve();
      };
      // The client never reads, so it cannot see the close frame: the TCP close is what ends it.
      ws.on('close', (code) => finish(`ws:${code}`));
      ws.on('error', () => {});
    });
  const onAbort = () => {
    for (const ws of open) ws.terminate();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (!ctx.signal.aborted) await one();
    }),
  );
  s.notes.push(
    'answers count connections by close code (1006: dropped by the gateway without a close frame the client read)',
  );
  return s;
}

/** (f) Fine and bill lookups, each with a different spoofed X-Forwarded-For. */
export async function spoofedLookups(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const ip = () => `${randomInt(1, 223)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  await loop(8, ctx.signal, async (i) => {
    const path =
      i % 2 === 0
        ? `/v1/fines?plate=${encodeURIComponent(`粤B${randomInt(10_000, 99_999)}`)}&engineNoSuffix=${randomInt(100_000, 999_999)}`
        : `/v1/utilities/electricity/accounts/0755${randomInt(100_000_000, 999_999_999)}/bills`;
    const a = await send(
      agent,
      `${ctx.base}${path}`,
      'GET',
      { authorization: `Bearer ${ctx.citizenToken}`, 'x-forwarded-for': ip() },
      undefined,
      ctx.signal,
    );
    count(s, a.status);
  });
  s.notes.push('one citizen token, a random X-Forwarded-For per request: 429s show the limit held');
  agent.destroy();
  return s;
}

/** Readings that pass the schema but may break later code (time range, derived values). */
function poisonReadings(station: string): unknown[] {
  const now = new Date().toISOString();
  return [
    { stationId: station, time: 8.64e15, pm25: 10 },
    { stationId: station, time: -8.64e15, pm25: 10 },
    { stationId: station, time: '+275760-09-13T00:00:00.000Z', pm25: 10 },
    { stationId: station, time: '2026-02-30T00:00:00Z', pm25: 10 },
    { stationId: station, time: now, co: 5e-324, no2: 1e-310 },
    { stationId: station, time: now, o3: 1e308, units: { o3: 'ppm' } },
    { stationId: station, time: now, no2: 1.7976931348623157e308, units: { no2: 'ppb' } },
    { stationId: station, time: now, pm25: 0, pm10: 0, humidity: 100, temperature: -0 },
  ];
}

function poisonLines(station: string): string {
  return [
    `air,stationId=${station} pm25=10 9223372036854775807`,
    `air,stationId=${station} pm25=10 -9223372036854775808`,
    `air,stationId=${station} co=5e-324,no2=1e-310`,
    `air,stationId=${station} pm25=1e308`,
    `air,stationId=${station} pm25=NaN`,
    `air,stationId=${station} pm25=10 99999999999999999999999`,
  ].join('\n');
}

/** (g) Poison readings over HTTP (JSON and line protocol) and, with MQTT_URL, over MQTT. */
export async function poisonReadingsLoad(ctx: LoadContext): Promise<LoadStats> {
  const s = stats();
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const readings = poisonReadings(ctx.station);
  const lines = poisonLines(ctx.station);
  let client: mqtt.MqttClient | null = null;
  if (ctx.mqttUrl) {
    client = await mqtt
      .connectAsync(ctx.mqttUrl, { clientId: `abuse-${randomUUID().slice(0, 8)}`, connectTimeout: 5_000 })
      .catch((err: Error) => {
        s.notes.push(`MQTT not used: ${err.message}`);
        return null;
      });
  } else s.notes.push('MQTT_URL unset: HTTP only');
  const topic = `citystream/air/${ctx.station}/readings`;
  const mqttLoop = client
    ? (async () => {
        // Paced: the broker is shared, and each message is one reading the hub must settle.
        for (let i = 0; !ctx.signal.aborted; i++) {
          const payload = JSON.stringify({
            ...(readings[i % readings.length] as object),
            stationId: undefined,
          });
          await client.publishAsync(topic, payload, { qos: 1 }).then(
            () => count(s, 'mqtt:puback'),
            () => count(s, 'mqtt:error'),
          );
          await new Promise((r) => setTimeout(r, 50));
        }
      })()
    : Promise.resolve();
  await loop(2, ctx.signal, async (i) => {
    const a =
      i % 2 === 0
        ? await send(
            agent,
            `${ctx.base}/v1/ingest/air`,
            'POST',
            { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
            JSON.stringify(readings),
            ctx.signal,
          )
        : await send(
            agent,
            `${ctx.base}/api/v2/write?org=x&bucket=y&precision=ns`,
            'POST',
            { authorization: `Token ${ctx.apiKey}`, 'content-type': 'text/plain' },
            lines,
            ctx.signal,
          );
    count(s, a.status);
  });
  await mqttLoop;
  await client?.endAsync(true).catch(() => {});
  agent.destroy();
  return s;
}

/** After the poison: does a valid reading still get in? */
export async function validReadingAccepted(ctx: Omit<LoadContext, 'signal'>): Promise<string> {
  const agent = new Agent({ keepAlive: false });
  const a = await send(
    agent,
    `${ctx.base}/v1/ingest/air`,
    'POST',
    { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
    JSON.stringify({ stationId: ctx.station, time: new Date().toISOString(), pm25: 12 }),
    AbortSignal.timeout(15_000),
  );
  agent.destroy();
  return a.status;
}
