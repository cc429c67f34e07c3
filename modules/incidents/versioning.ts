// ETag / If-Match for incidents: the ETag is the row's version, strong, quoted ("7").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../../core/http/index.ts';

export const etagOf = (version: number) => `"${version}"`;

/**
 * The version an If-Match header names; undefined when absent (or `*`, which any state matches).
 * Weak tags are accepted (`W/"7"`): proxies may weaken them, and the version is exact either way.
 */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const h = request.headers['if-match'];
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(h);
  if (!m) {
    throw new HttpProblem(400, 'Bad Request', 'If-Match must be the ETag you read, e.g. "7"', {
      errors: [{ in: 'headers', field: 'if-match', message: 'expected a quoted version such as "7"' }],
    });
  }
  return Number(m[1]);
}

/** Staff actions must say which state they act on: a blind write could undo someone else's. */
export function requiredIfMatch(request: FastifyRequest): number {
  const v = ifMatchVersion(request);
  if (v === undefined) {
    throw new HttpProblem(
      428,
      'Precondition Required',
      'send If-Match with the ETag of the incident you read',
      {
        errors: [{ in: 'headers', field: 'if-match', message: 'required' }],
      },
    );
  }
  return v;
}

export const setEtag = (reply: FastifyReply, version: number) => reply.header('etag', etagOf(version));
