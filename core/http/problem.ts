// RFC 9457 problem details. Every error the API returns has this shape; 5xx never carry internals.
// Each problem and each field error has a stable machine `code`; `title`, `detail` and field
// messages follow the caller's Accept-Language (zh-CN or English; messages.ts has the Chinese).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError, DomainErrorKind, FieldIssue } from '../errors.ts';
import { preferredLanguage } from './language.ts';
import { STATUS_CODES, ZH_DETAILS, ZH_TITLES, zhFieldMessage } from './messages.ts';

export type FieldError = FieldIssue;

export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly extensions: Record<string, unknown>;
  readonly type: string;
  /** Stable machine code: `extensions.code` when the raiser gave one, else the status's. */
  readonly code: string;

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
    this.code =
      typeof extensions.code === 'string' ? extensions.code : (STATUS_CODES[status] ?? `http_${status}`);
    this.name = 'HttpProblem';
  }
}

const withCode = (code: string | undefined, ext: Record<string, unknown> = {}) =>
  code ? { code, ...ext } : ext;

export const badRequest = (detail: string, errors?: FieldError[], code?: string) =>
  new HttpProblem(400, 'Bad Request', detail, withCode(code, errors ? { errors } : {}));
export const unauthorized = (detail: string, code?: string) =>
  new HttpProblem(401, 'Unauthorized', detail, withCode(code));
export const forbidden = (detail: string, code?: string) =>
  new HttpProblem(403, 'Forbidden', detail, withCode(code));
export const notFound = (detail: string, code?: string) =>
  new HttpProblem(404, 'Not Found', detail, withCode(code));
export const conflict = (detail: string, extensions: Record<string, unknown> = {}) =>
  new HttpProblem(409, 'Conflict', detail, extensions);
export const unprocessable = (detail: string, errors?: FieldError[], code?: string) =>
  new HttpProblem(422, 'Unprocessable Content', detail, withCode(code, errors ? { errors } : {}));
export const unavailable = (detail: string, code?: string) =>
  new HttpProblem(503, 'Service Unavailable', detail, withCode(code));

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
  return new HttpProblem(status, title, err.message, { ...err.details, code: err.code });
}

/** The problem+json document of `p` for `request`, in the language its Accept-Language prefers. */
export function problemDocument(p: HttpProblem, request: FastifyRequest) {
  const zh = preferredLanguage(request.headers['accept-language']) === 'zh-CN';
  const { errors, ...extensions } = p.extensions;
  const fieldErrors = Array.isArray(errors) ? (errors as FieldError[]) : undefined;
  return {
    type: p.type,
    title: zh ? (ZH_TITLES[p.status] ?? p.title) : p.title,
    status: p.status,
    detail: zh ? zhDetail(p, request) : p.detail,
    instance: request.url,
    code: p.code,
    ...extensions,
    ...(fieldErrors ? { errors: fieldErrors.map((e) => fieldOut(e, zh)) } : {}),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, p: HttpProblem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .header('content-language', preferredLanguage(request.headers['accept-language']))
    .header('vary', 'Accept-Language')
    .send(problemDocument(p, request));
}

/** A field error as sent: its code, and the message in the answer's language; no lookup vars. */
function fieldOut(e: FieldError, zh: boolean): Omit<FieldError, 'vars'> & { code: string } {
  const { vars, ...rest } = e;
  const code = e.code ?? 'invalid';
  return { ...rest, code, message: zh ? zhFieldMessage(code, vars ?? {}) : e.message };
}

/** The Chinese detail: the code's text, else the status's generic one; never the English detail. */
function zhDetail(p: HttpProblem, request: FastifyRequest): string {
  const text =
    ZH_DETAILS[p.code] ??
    ZH_DETAILS[STATUS_CODES[p.status] ?? ''] ??
    (p.status >= 500 ? ZH_DETAILS.unavailable! : ZH_DETAILS.invalid_request!);
  return text.replace('{{requestId}}', String(request.id));
}

interface ValidationItem {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * A field error's code and message variables from a zod issue: a custom check's own code
 * (`params: { code }`), else zod's issue code (too_small, invalid_format ...).
 */
export function issueCode(
  keyword: string | undefined,
  params: Record<string, unknown> = {},
): Pick<FieldError, 'code' | 'vars'> {
  const own = (params.params ?? {}) as Record<string, unknown>;
  const { minimum, maximum, origin, format } = params;
  return {
    code: typeof own.code === 'string' ? own.code : (keyword ?? 'invalid'),
    vars: { minimum, maximum, origin, format, ...own },
  };
}

/** Maps fastify's (zod-produced) validation errors to field errors. */
export function validationProblem(err: FastifyError): HttpProblem {
  const where = err.validationContext ?? 'body';
  const errors: FieldError[] = ((err.validation ?? []) as ValidationItem[]).map((v) => {
    const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { in: where, field: path, message: v.message ?? 'invalid', ...issueCode(v.keyword, v.params) };
  });
  const summary = errors.map((e) => `${e.field || where}: ${e.message}`).join('; ');
  return badRequest(`invalid ${where}${summary ? `: ${summary}` : ''}`, errors, 'validation_failed');
}
