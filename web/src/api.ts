// HTTP calls to the hub's /v1 API. Errors arrive as RFC 9457 problem+json; they are turned into
// ApiError with the detail (and field errors) a person can act on.

import { language } from './i18n/index.ts';

export interface FieldError {
  in: string;
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(status: number, detail: string, errors: FieldError[] = []) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.errors = errors;
    this.name = 'ApiError';
  }

  /** One line for the UI: the detail, or the first field error with its field. */
  describe(): string {
    const first = this.errors[0];
    return first && !this.detail.includes(first.message)
      ? `${this.detail} (${first.field}: ${first.message})`
      : this.detail;
  }
}

let bearer: () => string | undefined = () => undefined;

/** Where the current citizen token comes from (set by the sign-in module). */
export function useToken(get: () => string | undefined): void {
  bearer = get;
}

export interface RequestOptions {
  method?: string;
  /** JSON, or a prepared multipart body (`formBody`). */
  body?: unknown;
  /** Sent as Idempotency-Key so a retried POST does not book or pay twice. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  // Problem details in the page's language, whatever the browser's (docs/api.md, errors).
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language() };
  const token = bearer();
  if (token) headers.authorization = `Bearer ${token}`;
  const multipart = options.body instanceof MultipartBody ? options.body : null;
  if (options.body !== undefined)
    headers['content-type'] = multipart ? multipart.contentType : 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : (multipart?.bytes ?? JSON.stringify(options.body)),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'the hub is not reachable (network down?)');
  }
  const text = await res.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const p = (body ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
    throw new ApiError(res.status, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, p.errors ?? []);
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Lists may be a bare array or `{items: [...]}` (docs/architecture.md, "HTTP API"). */
export function items<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
    return (body as { items: T[] }).items;
  }
  return [];
}

export async function list<T>(path: string): Promise<T[]> {
  return items<T>(await api<unknown>(path));
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** A multipart body encoded once, with the content type that names its boundary. */
export class MultipartBody {
  readonly bytes: Blob;
  readonly contentType: string;
  constructor(bytes: Blob, contentType: string) {
    this.bytes = bytes;
    this.contentType = contentType;
  }
}

/**
 * A form's multipart body, encoded once: a retry must send the very same bytes (the same
 * boundary) under its Idempotency-Key, or the hub would see a different request. The boundary is
 * read from the body itself: a Blob's type is lower-cased by the browser, the boundary is not.
 */
export async function formBody(form: FormData): Promise<MultipartBody> {
  const bytes = await new Response(form).blob();
  const head = await bytes.slice(0, 200).text();
  const boundary = head.slice(2, head.indexOf('\r\n'));
  return new MultipartBody(bytes, `multipart/form-data; boundary=${boundary}`);
}

/** True when the hub answered and its answer is final for this input: a 4xx. */
export function isDefinitive(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500;
}

/**
 * One logical attempt at a form's request, and its Idempotency-Key. A retry after a network
 * failure or a 5xx reuses the key, so the hub answers what it already did instead of booking or
 * paying twice. A success or a definitive 4xx ends the attempt, and so does changing the input:
 * the next submit is a new request with a new key (a corrected body is never refused as a reuse).
 */
export class Attempt {
  private key = newIdempotencyKey();
  private input: string | null = null;

  /** The key for sending `input` (a fingerprint of the body). */
  keyFor(input: string): string {
    if (this.input !== null && this.input !== input) this.key = newIdempotencyKey();
    this.input = input;
    return this.key;
  }

  /** After an answer (an error, or none for a success). */
  settle(err?: unknown): void {
    if (err === undefined || isDefinitive(err)) {
      this.key = newIdempotencyKey();
      this.input = null;
    }
  }

  /** Sends `body` to `path` as this attempt, settling it with the answer. */
  async post<T>(path: string, body: unknown, fingerprint = JSON.stringify(body)): Promise<T> {
    const idempotencyKey = this.keyFor(fingerprint);
    try {
      const r = await api<T>(path, { body, idempotencyKey });
      this.settle();
      return r;
    } catch (err) {
      this.settle(err);
      throw err;
    }
  }
}
