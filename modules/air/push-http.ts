// Integrator pushes over HTTP: `POST /v1/ingest/air` (one JSON object, an array, or NDJSON) and
// the InfluxDB v2 write endpoint `POST /api/v2/write` (line protocol) so Telegraf and InfluxDB
// client libraries push unchanged. Both accept gzip bodies and answer with what was accepted and,
// for the first refused items, their index, field and reason.
//
// Memory per request is bounded whatever is sent: the caller is authenticated from the headers
// before a byte of the body is read; the body is read as a stream, item by item (never as one
// string), normalised in chunks so only compact readings are kept; items per request are capped
// (413 beyond), and refusals are counted with only the first few kept for the reply.
import type { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendOnRequest, badRequest, HttpProblem, unavailable } from '../../core/http/index.ts';
import type { HttpServer } from '../../core/http/index.ts';
import { JsonBodyError, readJsonItems, readLines, type Piece } from './body-reader.ts';
import { influxErrorReplies, RETRY_AFTER_SECONDS } from './influx-errors.ts';
import type { Intake, IntakeBatch } from './intake.ts';
import type { ApiKeyRegistry } from '../../core/auth/index.ts';
import { lineToReading, LineProtocolError, parseLine, type Precision } from './line-protocol.ts';
import { isGzip, pushBodyBytes, tooLarge } from './push-body.ts';
import type { RejectionLog } from './rejection-log.ts';

/** Bytes per request, as sent and after decompression. */
export const BODY_LIMIT = 32 * 1024 * 1024;
/** Bytes per item (NDJSON or line-protocol line, JSON array element): a reading is far smaller. */
export const MAX_ITEM_BYTES = 64 * 1024;
/** Refusals listed in full in a reply; the rest are counted. */
export const MAX_LISTED_ERRORS = 20;
/** Items normalised together while the body streams in (one station-registry check each). */
const CHUNK = 1000;
/** Items parsed between two yields to the event loop. */
const YIELD_EVERY = 250;

export interface PushLimits {
  /** Items (readings, lines) per request; more is refused with 413. */
  maxItems: number;
}

/** What the body parsers hand the route: the judged batch, never the body itself. */
interface PushBody {
  batch: IntakeBatch;
  items: number;
  sha256: string;
}

const acceptedReply = z.object({
  accepted: z.number().int().describe('readings published to air.readings.v1'),
});

/** The integrator the shared auth check (config.auth 'integrator') signed in, before the body is read. */
const callerOf = (request: FastifyRequest) => request.integrator ?? 'unknown';

function tooManyItems(max: number): HttpProblem {
  return new HttpProblem(
    413,
    'Content Too Large',
    `more than ${max} readings in one request; send at most ${max} per request (CITYSTREAM_INGEST_MAX_ITEMS)`,
    { limit: max, errors: [{ in: 'body', field: '', message: `at most ${max} items per request` }] },
  );
}

function unsupportedEncoding(request: FastifyRequest): HttpProblem | null {
  const encoding = request.headers['content-encoding'];
  if (!encoding || encoding === 'identity' || encoding === 'gzip') return null;
  return new HttpProblem(
    415,
    'Unsupported Media Type',
    `Content-Encoding ${encoding} is not supported; use gzip or none`,
  );
}

/**
 * What else can be judged from the headers, before the body is touched (the caller was already
 * signed in by the shared auth check): the encoding, the declared length. A refusal before the
 * body was read closes the connection, so the rest of an unwanted upload is not even drained.
 */
function headerChecks(extra?: (r: FastifyRequest) => void) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const encoding = unsupportedEncoding(request);
      if (encoding) throw encoding;
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > BODY_LIMIT) throw tooLarge(BODY_LIMIT, isGzip(request) ? 'as sent' : '');
      extra?.(request);
    } catch (err) {
      if (!request.raw.complete) reply.header('connection', 'close');
      throw err;
    }
  };
}

/** Hands items to the batch in chunks, counting them against the cap. */
function itemSink(batch: IntakeBatch, maxItems: number) {
  let pending: { index: number; value: unknown; line?: number }[] = [];
  let items = 0;
  return {
    get items() {
      return items;
    },
    async count() {
      if (++items > maxItems) throw tooManyItems(maxItems);
      // A body already buffered would otherwise be parsed in one run of microtasks, stalling every
      // other request on the process (health checks included) for as long as it takes.
      if (items % YIELD_EVERY === 0) await setImmediate();
    },
    async accept(item: { index: number; value: unknown; line?: number }) {
      pending.push(item);
      if (pending.length >= CHUNK) await this.flush();
    },
    async flush() {
      const chunk = pending;
      pending = [];
      await batch.add(chunk);
    },
  };
}

const tooLongReason = (what: string) => `${what} is longer than ${MAX_ITEM_BYTES} bytes`;

async function parseJsonPush(
  request: FastifyRequest,
  raw: Readable,
  intake: Intake,
  limits: PushLimits,
): Promise<PushBody> {
  const ndjson = /ndjson/.test(request.headers['content-type'] ?? '');
  const bytes = pushBodyBytes(request, raw, BODY_LIMIT);
  const batch = intake.begin({
    origin: `push:http:${callerOf(request)}`,
    maxRejections: MAX_LISTED_ERRORS,
    scope: request.integratorKey,
  });
  const sink = itemSink(batch, limits.maxItems);
  const pieces: AsyncIterable<Piece> = ndjson
    ? readLines(bytes.chunks, MAX_ITEM_BYTES)
    : readJsonItems(bytes.chunks, MAX_ITEM_BYTES);
  try {
    for await (const piece of pieces) {
      if (ndjson && 'text' in piece && piece.text.trim() === '') continue;
      await sink.count();
      // NDJSON items are numbered by line (index = line - 1), array elements by position.
      const index = ndjson ? piece.n - 1 : piece.n;
      const line = ndjson ? piece.n : undefined;
      if (!('text' in piece)) {
        batch.refuse(index, '', tooLongReason(ndjson ? `line ${piece.n}` : `item ${index}`), line);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(piece.text);
      } catch (err) {
        if (!ndjson) throw invalidJson((err as Error).message);
        batch.refuse(index, '', `line ${piece.n} is not valid JSON: ${(err as Error).message}`, line);
        continue;
      }
      await sink.accept({ index, value, line });
    }
  } catch (err) {
    if (err instanceof JsonBodyError) throw invalidJson(err.message);
    throw err;
  }
  await sink.flush();
  return { batch, items: sink.items, sha256: bytes.digest() };
}

const invalidJson = (why: string) =>
  badRequest(`body is not valid JSON: ${why.slice(0, 200)}`, [
    { in: 'body', field: '', message: 'invalid JSON' },
  ]);

const PRECISIONS = new Set<Precision>(['ns', 'us', 'ms', 's']);

async function parseLineProtocolPush(
  request: FastifyRequest,
  raw: Readable,
  intake: Intake,
  limits: PushLimits,
): Promise<PushBody> {
  // The query is validated after parsing; an invalid precision is refused there (400).
  const asked = (request.query as { precision?: string }).precision as Precision | undefined;
  const precision: Precision = asked && PRECISIONS.has(asked) ? asked : 'ns';
  const now = Date.now();
  const bytes = pushBodyBytes(request, raw, BODY_LIMIT);
  const batch = intake.begin({
    origin: `push:influx:${callerOf(request)}`,
    maxRejections: MAX_LISTED_ERRORS,
    scope: request.integratorKey,
  });
  const sink = itemSink(batch, limits.maxItems);
  for await (const piece of readLines(bytes.chunks, MAX_ITEM_BYTES)) {
    const text = 'text' in piece ? piece.text.trim() : null;
    if (text === '' || text?.startsWith('#')) continue;
    await sink.count();
    const index = piece.n - 1;
    if (text === null) {
      batch.refuse(index, '', `line ${piece.n}: ${tooLongReason('the line')}`, piece.n);
      continue;
    }
    try {
      await sink.accept({ index, value: lineToReading(parseLine(text), precision, now), line: piece.n });
    } catch (err) {
      if (!(err instanceof LineProtocolError)) throw err;
      batch.refuse(index, '', `line ${piece.n}: ${err.message}`, piece.n);
    }
  }
  await sink.flush();
  return { batch, items: sink.items, sha256: bytes.digest() };
}

/**
 * The parsed body stands in for the bytes in Idempotency-Key fingerprints (core/http/idempotency
 * serialises request.body): the digest of the inflated body, not the items.
 */
function asBody(body: PushBody): PushBody & { toJSON(): unknown } {
  return Object.defineProperty(body, 'toJSON', {
    value: () => ({ sha256: body.sha256 }),
    enumerable: false,
  }) as PushBody & { toJSON(): unknown };
}

function refusalErrors(log: RejectionLog) {
  return log.first.map((r) => ({
    in: 'body',
    index: r.index,
    ...(r.line !== undefined ? { line: r.line } : {}),
    field: r.field,
    reason: r.reason,
    message: r.reason,
  }));
}

function refusalProblem(accepted: number, log: RejectionLog, atomic: boolean): HttpProblem {
  const listed = log.omitted > 0 ? `; the first ${log.first.length} of ${log.total} errors are listed` : '';
  const detail = atomic
    ? `${log.items} item(s) refused; nothing was accepted (atomic=true)${listed}`
    : `${log.items} item(s) refused; the other ${accepted} were accepted${listed}`;
  const p = badRequest(detail, refusalErrors(log));
  return new HttpProblem(p.status, p.title, p.detail, {
    ...p.extensions,
    accepted,
    rejected: log.items,
    ...(log.omitted > 0 ? { errorsOmitted: log.omitted } : {}),
  });
}

/** Nothing was accepted when the bus did not acknowledge: say so, so the integrator retries. */
async function commit(batch: IntakeBatch, atomic: boolean, reply: FastifyReply) {
  try {
    return await batch.commit(atomic);
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    const p = unavailable(`readings not accepted, retry later: ${(err as Error).message}`);
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    throw new HttpProblem(p.status, p.title, p.detail, { accepted: 0 });
  }
}

function requireJsonMediaType(request: FastifyRequest): void {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(json|x-ndjson|ndjson)\b/.test(type)) {
    throw new HttpProblem(
      415,
      'Unsupported Media Type',
      `Content-Type ${type || '(none)'} is not supported; send application/json or application/x-ndjson`,
    );
  }
}

export async function registerAirPush(
  http: HttpServer,
  intake: Intake,
  limits: PushLimits,
  keys?: ApiKeyRegistry,
) {
  // Each route in its own instance: its own header checks and body parser.
  const routes = async (app: FastifyInstance, parse: typeof parseJsonPush) => {
    app.removeContentTypeParser(['application/json', 'text/plain']);
    // Any media type reaches the parser, because Telegraf and curl label line protocol
    // differently; /v1/ingest/air checks its own in the onRequest hook.
    app.addContentTypeParser('*', (request: FastifyRequest, payload: unknown) =>
      parse(request, payload as Readable, intake, limits).then(asBody),
    );
  };

  await http.register(async (app: FastifyInstance) => {
    await routes(app, parseJsonPush);
    app.addHook('onRoute', (route) => appendOnRequest(route, headerChecks(requireJsonMediaType)));
    (app as unknown as HttpServer).post(
      '/v1/ingest/air',
      {
        // Declared for the shared auth hook (which runs first); this plugin's own onRequest
        // checks then refuse bad encodings and sizes before a byte of the body is read.
        config: { auth: 'integrator' },
        schema: {
          tags: ['air'],
          summary: 'Push air-quality readings (one JSON object, a JSON array, or NDJSON)',
          description:
            'Readings: {"stationId":"GZ-0001","time":"2026-11-24T08:00:00Z","pm25":35.2,...}; µg/m³ (CO mg/m³) unless `units` says ppb/ppm. Refused items are counted and the first 20 listed with index, field and reason; the others are accepted unless atomic=true. At most CITYSTREAM_INGEST_MAX_ITEMS readings per request (413 beyond).',
          security: [{ apiKey: [] }],
          querystring: z.object({
            atomic: z
              .enum(['true', 'false'])
              .optional()
              .describe('all-or-nothing: accept nothing if any item is refused'),
          }),
          body: z.unknown(),
          response: { 202: acceptedReply },
        },
      },
      async (request, reply) => {
        const body = request.body as PushBody | undefined;
        if (!body || body.items === 0) throw badRequest('no readings in the body');
        const atomic = request.query.atomic === 'true';
        const result = await commit(body.batch, atomic, reply);
        keys?.count(request.integratorKey, result.accepted, result.refused.items);
        if (result.refused.items > 0) throw refusalProblem(result.accepted, result.refused, atomic);
        return reply.code(202).send({ accepted: result.accepted });
      },
    );
  });

  await http.register(async (app: FastifyInstance) => {
    await routes(app, parseLineProtocolPush);
    app.addHook('onRoute', (route) => appendOnRequest(route, headerChecks()));
    influxErrorReplies(app);
    (app as unknown as HttpServer).post(
      '/api/v2/write',
      {
        // Declared for the shared auth hook (which runs first); this plugin's own onRequest
        // checks then refuse bad encodings and sizes before a byte of the body is read.
        config: {
          auth: 'integrator',
          // Errors carry InfluxDB's code and message as application/json unless problem+json is asked for.
          problemTypes: ['application/json', 'application/problem+json'],
        },
        schema: {
          tags: ['air'],
          summary: 'InfluxDB v2 write API (line protocol) for Telegraf and InfluxDB clients',
          description:
            'Line protocol; the station comes from the stationId (or station) tag, measurements from fields pm25, pm10, o3, no2, so2, co, temperature, humidity. Authorization: Token <integrator key> or X-API-Key. org and bucket are accepted and ignored. Errors carry InfluxDB\'s "code" and "message" (application/json unless Accept asks for application/problem+json). At most CITYSTREAM_INGEST_MAX_ITEMS lines per request (413 beyond).',
          security: [{ apiKey: [] }],
          querystring: z.object({
            org: z.string().optional(),
            bucket: z.string().optional(),
            orgID: z.string().optional(),
            precision: z.enum(['ns', 'us', 'ms', 's']).default('ns'),
            atomic: z.enum(['true', 'false']).optional(),
          }),
          body: z.unknown(),
          response: { 204: z.null().describe('all lines accepted') },
        },
      },
      async (request, reply) => {
        const body = request.body as PushBody | undefined;
        const atomic = request.query.atomic === 'true';
        if (!body) return reply.code(204).send(null);
        const result = await commit(body.batch, atomic, reply);
        keys?.count(request.integratorKey, result.accepted, result.refused.items);
        if (result.refused.items > 0) throw partialWrite(result.accepted, result.refused, atomic);
        return reply.code(204).send(null);
      },
    );
  });
}

/** InfluxDB's partial-write answer: 400, `code: invalid`, the bad lines named in `message`. */
function partialWrite(accepted: number, log: RejectionLog, atomic: boolean): HttpProblem {
  const p = refusalProblem(accepted, log, atomic);
  const lines = log.first.map(
    (r) => `line ${r.index + 1}${r.field ? ` field ${r.field}` : ''}: ${r.reason.replace(/^line \d+: /, '')}`,
  );
  const more = log.omitted > 0 ? `; and ${log.omitted} more` : '';
  return new HttpProblem(p.status, p.title, p.detail, {
    ...p.extensions,
    code: 'invalid',
    message: `partial write: ${log.items} line(s) refused, ${accepted} accepted: ${lines.join('; ')}${more}`,
    // Telegraf prints it as line[n].
    line: log.first[0]?.line,
  });
}
