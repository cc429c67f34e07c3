// Integrator pushes over HTTP: `POST /v1/ingest/air` (one JSON object, an array, or NDJSON) and
// the InfluxDB v2 write endpoint `POST /api/v2/write` (line protocol) so Telegraf and InfluxDB
// client libraries push unchanged. Both accept gzip bodies and answer with what was accepted and,
// per refused item, its index, field and reason.
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest, HttpProblem, unavailable, type FieldError } from '../../core/http/index.ts';
import type { HttpServer } from '../../core/http/index.ts';
import type { Intake, ItemRejection } from './intake.ts';
import { lineToReading, LineProtocolError, parseLine, type Precision } from './line-protocol.ts';

const BODY_LIMIT = 32 * 1024 * 1024;

const acceptedReply = z.object({
  accepted: z.number().int().describe('readings published to air.readings.v1'),
});

function rejectionErrors(rejected: ItemRejection[]): (FieldError & { index: number; reason: string })[] {
  return rejected.map((r) => ({
    in: 'body',
    index: r.index,
    field: r.field,
    reason: r.reason,
    message: r.reason,
  }));
}

function rejectionProblem(accepted: number, rejected: ItemRejection[], atomic: boolean): HttpProblem {
  const items = new Set(rejected.map((r) => r.index)).size;
  const detail = atomic
    ? `${items} item(s) refused; nothing was accepted (atomic=true)`
    : `${items} item(s) refused; the other ${accepted} were accepted`;
  const p = badRequest(detail, rejectionErrors(rejected));
  return new HttpProblem(p.status, p.title, p.detail, { ...p.extensions, accepted, rejected: items });
}

/** Nothing was accepted when the bus did not acknowledge: say so, so the integrator retries. */
async function submit(intake: Intake, ...args: Parameters<Intake['submit']>) {
  try {
    return await intake.submit(...args);
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    const p = unavailable(`readings not accepted, retry later: ${(err as Error).message}`);
    throw new HttpProblem(p.status, p.title, p.detail, { accepted: 0 });
  }
}

/** Inflates gzip bodies before parsing; the route's body limit applies to the inflated bytes. */
async function gunzip(request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream) {
  const encoding = request.headers['content-encoding'];
  if (!encoding || encoding === 'identity') return payload;
  if (encoding !== 'gzip')
    throw new HttpProblem(
      415,
      'Unsupported Media Type',
      `Content-Encoding ${encoding} is not supported; use gzip or none`,
    );
  delete request.headers['content-length'];
  const inflated = createGunzip();
  inflated.on('error', () => undefined); // surfaces as a body read error (400)
  return payload.pipe(inflated);
}

export function registerAirPush(http: HttpServer, intake: Intake) {
  return http.register(async (app: FastifyInstance) => {
    const typed = app as unknown as HttpServer;
    app.removeContentTypeParser(['application/json', 'text/plain']);
    const asText = { parseAs: 'string' as const, bodyLimit: BODY_LIMIT };
    // Bodies stay text: each item (or line) is parsed and judged on its own.
    // Bodies stay text: each item (or line) is parsed and judged on its own. Any media type is
    // read, because Telegraf and curl label line protocol differently; /v1/ingest/air checks its own.
    app.addContentTypeParser('*', asText, (_req, body, done) => done(null, body));

    typed.post(
      '/v1/ingest/air',
      {
        bodyLimit: BODY_LIMIT,
        // The key is checked in onRequest: an unauthenticated body is never inflated or parsed.
        config: { auth: 'integrator' },
        preParsing: gunzip,
        schema: {
          tags: ['air'],
          summary: 'Push air-quality readings (one JSON object, a JSON array, or NDJSON)',
          description:
            'Readings: {"stationId":"GZ-0001","time":"2026-11-24T08:00:00Z","pm25":35.2,...}; µg/m³ (CO mg/m³) unless `units` says ppb/ppm. Refused items are listed with index, field and reason; the others are accepted unless atomic=true.',
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
        const who = request.integrator!;
        const atomic = request.query.atomic === 'true';
        const text = typeof request.body === 'string' ? request.body : '';
        const items: { index: number; value: unknown }[] = [];
        const preRejected: ItemRejection[] = [];
        const type = request.headers['content-type'] ?? '';
        if (!/^application\/(json|x-ndjson|ndjson)\b/.test(type)) {
          throw new HttpProblem(
            415,
            'Unsupported Media Type',
            `Content-Type ${type || '(none)'} is not supported; send application/json or application/x-ndjson`,
          );
        }
        if (/ndjson/.test(type)) {
          text.split('\n').forEach((line, index) => {
            if (line.trim() === '') return;
            try {
              items.push({ index, value: JSON.parse(line) });
            } catch (err) {
              preRejected.push({
                index,
                field: '',
                reason: `line ${index + 1} is not valid JSON: ${(err as Error).message}`,
              });
            }
          });
        } else {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (err) {
            throw badRequest(`body is not valid JSON: ${(err as Error).message}`, [
              { in: 'body', field: '', message: 'invalid JSON' },
            ]);
          }
          if (Array.isArray(json)) json.forEach((value, index) => items.push({ index, value }));
          else items.push({ index: 0, value: json });
        }
        if (items.length === 0 && preRejected.length === 0) throw badRequest('no readings in the body');
        const result = await submit(intake, items, { origin: `push:http:${who}`, atomic, preRejected });
        if (result.rejected.length > 0) throw rejectionProblem(result.accepted, result.rejected, atomic);
        return reply.code(202).send({ accepted: result.accepted });
      },
    );

    typed.post(
      '/api/v2/write',
      {
        bodyLimit: BODY_LIMIT,
        config: { auth: 'integrator' },
        preParsing: gunzip,
        schema: {
          tags: ['air'],
          summary: 'InfluxDB v2 write API (line protocol) for Telegraf and InfluxDB clients',
          description:
            'Line protocol; the station comes from the stationId (or station) tag, measurements from fields pm25, pm10, o3, no2, so2, co, temperature, humidity. Authorization: Token <integrator key> or X-API-Key. org and bucket are accepted and ignored.',
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
        const who = request.integrator!;
        const precision: Precision = request.query.precision;
        const atomic = request.query.atomic === 'true';
        const text = typeof request.body === 'string' ? request.body : '';
        const now = Date.now();
        const items: { index: number; value: unknown }[] = [];
        const preRejected: ItemRejection[] = [];
        text.split('\n').forEach((raw, index) => {
          const line = raw.trim();
          if (line === '' || line.startsWith('#')) return;
          try {
            items.push({ index, value: lineToReading(parseLine(line), precision, now) });
          } catch (err) {
            if (!(err instanceof LineProtocolError)) throw err;
            preRejected.push({ index, field: '', reason: `line ${index + 1}: ${err.message}` });
          }
        });
        const result = await submit(intake, items, { origin: `push:influx:${who}`, atomic, preRejected });
        if (result.rejected.length > 0) {
          const p = rejectionProblem(result.accepted, result.rejected, atomic);
          // InfluxDB clients print `message`; `code` is InfluxDB's error code for bad input.
          const lines = result.rejected.map(
            (r) =>
              `line ${r.index + 1}${r.field ? ` field ${r.field}` : ''}: ${r.reason.replace(/^line \d+: /, '')}`,
          );
          throw new HttpProblem(p.status, p.title, p.detail, {
            ...p.extensions,
            code: 'invalid',
            message: `partial write: ${lines.join('; ')}`,
          });
        }
        return reply.code(204).send(null);
      },
    );
  });
}
