// The console's calls to /v1/staff/...: the staff token, the page's language (problem texts come
// back in it), If-Match when acting on an incident; problem+json answers become StaffError.
import { language } from '../i18n/index.ts';

export const TOKEN_KEY = 'citystream.staffToken';

export class StaffError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const staffToken = () => localStorage.getItem(TOKEN_KEY) ?? '';

export async function call<T>(
  path: string,
  options: { method?: string; body?: unknown; ifMatch?: string } = {},
): Promise<{ body: T; etag: string | null }> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': language(),
    authorization: `Bearer ${staffToken()}`,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  const res = await fetch(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (!res.ok) throw new StaffError(res.status, body);
  return { body: body as T, etag: res.headers.get('etag') };
}
