// RFC 9457 problem details. Every error the API returns has this shape; 5xx never carry internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError, DomainErrorKind } from '../errors.ts';

export interface FieldError {
  /** Where: body, querystring, params, headers, or an item index for batches. */
  in: string;
  /** Dotted path of the field, empty for the whole value. */
  field: string;
  message: string;
}

export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly extensions: Record<string, unknown>;
  readonly type: string;

  constructor(
    status: number,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
    type = 'about:blank',
  ) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.extensions = extensions;
    this.type = type;
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'Bad Request', detail, errors ? { errors } : {});
export const unauthorized = (detail: string) => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string, extensions: Record<string, unknown> = {}) =>
  new HttpProblem(409, 'Conflict', detail, extensions);
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(422, 'Unprocessable Content', detail, errors ? { errors } : {});
export const unavailable = (detail: string) => new HttpProblem(503, 'Service Unavailable', detail);

const DOMAIN_STATUS: Record<DomainErrorKind, [number, string]> = {
  invalid: [400, 'Bad Request'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not Found'],
  conflict: [409, 'Conflict'],
  gone: [410, 'Gone'],
  unprocessable: [422, 'Unprocessable Content'],
};

/** The one mapping from a domain error to its HTTP answer. */
export function problemFor(err: DomainError): HttpProblem {
  const [status, title] = DOMAIN_STATUS[err.kind];
  return new HttpProblem(status, title, err.message, err.details);
}

/** The problem+json document of `p` for the request at `instance`. */
export const problemDocument = (p: HttpProblem, instance: string) => ({
  type: p.type,
  title: p.title,
  status: p.status,
  detail: p.detail,
  instance,
  ...p.extensions,
});

export function sendProblem(reply: FastifyReply, request: FastifyRequest, p: HttpProblem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(problemDocument(p, request.url));
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Maps fastify's (zod-produced) validation errors to field errors. */
export function validationProblem(err: FastifyError): HttpProblem {
  const where = err.validationContext ?? 'body';
  const errors: FieldError[] = ((err.validation ?? []) as ValidationItem[]).map((v) => {
    const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { in: where, field: path, message: v.message ?? 'invalid' };
  });
  const summary = errors.map((e) => `${e.field || where}: ${e.message}`).join('; ');
  return badRequest(`invalid ${where}${summary ? `: ${summary}` : ''}`, errors);
}
