// Input checks every route shares, so a whole class of bad input is a 400 naming the field instead
// of a 500 from deeper down: JSON bodies are bounded in depth before they are parsed, and no
// string anywhere in a body, query or path may carry a NUL byte (PostgreSQL text cannot hold one).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpProblem, type FieldError } from './problem.ts';

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a JSON text, scanned without parsing; stops counting once past `limit`,
 * so a hostile body costs one pass over its bytes and no recursion.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The path of the first string (or object key) holding a NUL byte, or null. */
export function findNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH) return null;
  if (Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.includes('\u0000')) return [...path, k];
    const found = findNul(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws the 400 for a NUL byte in `value`, naming where it is. */
export function assertNoNul(where: FieldError['in'], value: unknown): void {
  const path = findNul(value);
  if (!path) return;
  const field = path.join('.');
  throw badRequest(`invalid ${where}: ${field || where}: must not contain NUL bytes`, [
    { in: where, field, message: 'must not contain NUL bytes', code: 'nul_byte' },
  ]);
}

/** Registers the JSON depth bound and the NUL check on the root instance, before any route. */
export function registerInputChecks(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(
        badRequest(`invalid body: nested deeper than ${MAX_JSON_DEPTH} levels`, [
          { in: 'body', field: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
      return;
    }
    void parseJson(request, body as string, done);
  });
  // preValidation: after parsing, before the route's schema, handler or any database call.
  app.addHook('preValidation', async (request: FastifyRequest) => {
    assertNoNul('params', request.params);
    assertNoNul('querystring', request.query);
    assertNoNul('body', request.body);
  });
}

/**
 * What a failure while reading multipart parts becomes: the plugin's own limits keep their 4xx
 * (413 too large, 406 not multipart); anything else (busboy's "Unexpected end of form", a bad
 * boundary, a broken part header) is the client's malformed body, a 400.
 */
export function multipartProblem(err: unknown): unknown {
  if (err instanceof HttpProblem) return err;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return err;
  const reason = err instanceof Error ? err.message : 'unreadable';
  return badRequest(`malformed multipart/form-data body: ${reason}`, [
    { in: 'body', field: '', message: 'malformed multipart/form-data' },
  ]);
}
