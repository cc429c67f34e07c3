// Lookups by what a payer knows (a fine by plate and engine suffix, bills by account number) are
// guessable, so they are rate limited per user and per client IP at once: a guesser gains nothing
// from rotating tokens behind one address or addresses behind one token. A lookup that finds
// nothing costs more than one that does, since misses are what guessing produces.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/index.ts';
import { HttpProblem } from './problem.ts';

export const LOOKUP_COST = { hit: 1, miss: 5 } as const;
export type LookupOutcome = keyof typeof LOOKUP_COST;

/** Charges the rest of a lookup's cost once its outcome is known. */
export type LookupCharge = (outcome: LookupOutcome) => void;

export interface LookupLimiterOptions {
  perMinute: number;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  /** Buckets kept at most; full (idle) ones are dropped first, then the oldest. */
  maxKeys?: number;
}

interface Bucket {
  level: number;
  at: number;
}

export class LookupLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(options: LookupLimiterOptions) {
    this.capacity = options.perMinute;
    this.perMs = options.perMinute / 60_000;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Number of buckets held (for memory bounds in tests). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Admits a lookup for every key or none: each must hold a hit's cost, which is taken at once so
   * concurrent lookups cannot overdraw. Returns the seconds to wait when refused.
   */
  tryTake(keys: readonly string[]): { ok: true; charge: LookupCharge } | { ok: false; retryAfter: number } {
    const t = this.now();
    const buckets = keys.map((k) => this.bucket(k, t));
    const short = Math.max(...buckets.map((b) => LOOKUP_COST.hit - b.level));
    if (short > 0) return { ok: false, retryAfter: Math.max(1, Math.ceil(short / this.perMs / 1000)) };
    for (const b of buckets) b.level -= LOOKUP_COST.hit;
    let charged = false;
    return {
      ok: true,
      charge: (outcome) => {
        if (charged) return;
        charged = true;
        // The debt is paid off by refill before the next lookup is admitted.
        for (const b of buckets) b.level -= LOOKUP_COST[outcome] - LOOKUP_COST.hit;
      },
    };
  }

  private bucket(key: string, t: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict(t);
      b = { level: this.capacity, at: t };
      this.buckets.set(key, b);
      return b;
    }
    b.level = Math.min(this.capacity, b.level + (t - b.at) * this.perMs);
    b.at = t;
    return b;
  }

  /**
   * A full bucket is the same as no bucket; if too few are full, the oldest go. Frees a tenth of
   * the room at least, so the sweep runs once per maxKeys/10 new callers, not once per lookup.
   */
  private evict(t: number): void {
    for (const [key, b] of this.buckets) {
      if (b.level + (t - b.at) * this.perMs >= this.capacity) this.buckets.delete(key);
    }
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * Admits a lookup by this caller (per user and per client IP; staff are not limited) or answers
 * 429 with Retry-After. `request.ip` honours X-Forwarded-For only from CITYSTREAM_TRUSTED_PROXIES.
 */
export function admitLookup(
  limiter: LookupLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
): LookupCharge {
  if (principal.role === 'staff') return () => undefined;
  const r = limiter.tryTake([`user:${principal.sub}`, `ip:${request.ip}`]);
  if (r.ok) return r.charge;
  // The error handler keeps headers set before the throw.
  void reply.header('retry-after', String(r.retryAfter));
  throw new HttpProblem(
    429,
    'Too Many Requests',
    `too many fine or bill lookups; a lookup that finds nothing counts as ${LOOKUP_COST.miss}. Retry in ${r.retryAfter} s`,
    { retryAfter: r.retryAfter },
  );
}
