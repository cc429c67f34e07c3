// The citizen signed in on this page. In demo mode the hub mints a citizen token for a display
// name in any script (POST /v1/dev/token derives the user id from it); otherwise a token from the
// identity provider (or `citystream token`) is pasted. The token is kept in localStorage so a
// reload stays signed in until it expires.
import { api } from './api.ts';
import { t } from './i18n/index.ts';

export interface Session {
  token: string;
  /** The user id (the token's subject). */
  sub: string;
  /** The name shown on the page: as typed at sign-in, else the token's `name` claim or its subject. */
  name: string;
  /** Seconds since epoch. */
  exp: number | null;
}

const KEY = 'citystream.session';
type Listener = (s: Session | null) => void;

export class SessionStore {
  private current: Session | null = load();
  private listeners = new Set<Listener>();

  get(): Session | null {
    if (this.current?.exp && this.current.exp * 1000 < Date.now()) this.set(null);
    return this.current;
  }

  token(): string | undefined {
    return this.get()?.token;
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async signInDemo(name: string): Promise<Session> {
    const r = await api<{ token: string; sub: string; name: string; expiresAt: string }>('/v1/dev/token', {
      body: { name },
    });
    const s = {
      token: r.token,
      sub: r.sub,
      name: r.name,
      exp: Math.floor(Date.parse(r.expiresAt) / 1000),
    };
    this.set(s);
    return s;
  }

  signInWithToken(token: string): Session {
    const claims = decodeClaims(token);
    if (!claims?.sub) throw new Error(t('citizen:account.badToken'));
    const s = { token, sub: claims.sub, name: claims.name ?? claims.sub, exp: claims.exp ?? null };
    this.set(s);
    return s;
  }

  signOut(): void {
    this.set(null);
  }

  private set(s: Session | null): void {
    const changed = s?.token !== this.current?.token;
    this.current = s;
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
    if (changed) for (const l of this.listeners) l(s);
  }
}

function load(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!s || typeof s.token !== 'string' || typeof s.sub !== 'string') return null;
    return { ...s, name: typeof s.name === 'string' && s.name ? s.name : s.sub };
  } catch {
    return null;
  }
}

/** Reads (does not verify: the hub does) the claims of a JWT. */
function decodeClaims(token: string): { sub?: string; name?: string; exp?: number } | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    // base64url of UTF-8: atob gives bytes, TextDecoder makes them text (a name may be 王小明).
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { sub?: string; name?: string; exp?: number };
  } catch {
    return null;
  }
}
