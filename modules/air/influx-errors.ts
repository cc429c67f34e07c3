// Error replies of the InfluxDB-compatible write endpoint in the shape InfluxDB gives them, so
// Telegraf and the InfluxDB client libraries log the reason instead of a bare status:
// `{"code": "invalid", "message": "..."}`. The problem+json fields stay in the same body.
//
// @influxdata/influxdb-client reads `code` and `message` only from a body typed application/json,
// so that is the media type here unless the caller asks for application/problem+json. Telegraf
// decodes the JSON body whatever its type, and also reads `line` and `maxLength`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** InfluxDB v2's error codes (influxdb/kit/platform/errors) by HTTP status. */
const CODES: Record<number, string> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  413: 'request too large',
  415: 'unsupported media type',
  422: 'unprocessable entity',
  429: 'too many requests',
  500: 'internal error',
  503: 'unavailable',
};
const INFLUX_CODES = new Set(Object.values(CODES));

/** Seconds a client should wait after a 429 or 503 that did not say otherwise. */
export const RETRY_AFTER_SECONDS = 5;

function wantsProblemJson(request: FastifyRequest): boolean {
  return /application\/problem\+json/i.test(request.headers.accept ?? '');
}

async function influxShape(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const status = reply.statusCode;
  if (status < 400) return payload;
  if ((status === 429 || status === 503) && !reply.hasHeader('retry-after')) {
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  }
  if (typeof payload !== 'string') return payload;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return payload; // not a problem document: leave it alone
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return payload;
  // Fastify's own errors carry FST_* codes; InfluxDB clients expect one of theirs.
  if (typeof body.code !== 'string' || !INFLUX_CODES.has(body.code)) {
    body.code = CODES[status] ?? (status >= 500 ? 'internal error' : 'invalid');
  }
  if (typeof body.message !== 'string') body.message = body.detail ?? body.title ?? `HTTP ${status}`;
  if (!wantsProblemJson(request)) reply.type('application/json; charset=utf-8');
  return JSON.stringify(body);
}

/** Adds the hook to an encapsulated instance: only its routes answer in InfluxDB's shape. */
export function influxErrorReplies(app: FastifyInstance): void {
  app.addHook('onSend', influxShape);
}
