// Integrator keys as every process checks them: the bootstrap keys of CITYSTREAM_API_KEYS plus the
// keys staff manage in the database, held in memory so a push is judged without a query. The
// database keys arrive as their full state (load at start, then each change over the bus), keyed
// by key id and ordered by their change time, so a revocation replaces what was known the moment
// it arrives and an older record read late never brings a revoked key back.
import { createHash } from 'node:crypto';
import type { ApiKey } from '../config/index.ts';
import type { IntegratorKeyState } from '../events/keys.ts';
import { apiKeyOwner } from './tokens.ts';

/** Who a presented key belongs to, and what it may push. */
export interface KeyGrant {
  /** The database key's id; null for a bootstrap key from CITYSTREAM_API_KEYS. */
  keyId: string | null;
  name: string;
  /** Readings only for this city's stations, when set. */
  city: string | null;
  /** Readings only for these stations, when not empty. */
  stations: readonly string[];
}

export const hashApiKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Why a grant refuses a reading of this station, or null when it may push it. */
export function outOfScope(grant: KeyGrant, stationId: string, city: string | undefined): string | null {
  if (grant.stations.length > 0 && !grant.stations.includes(stationId))
    return `key "${grant.name}" may not push for station ${stationId}`;
  if (grant.city !== null && city !== grant.city)
    return `key "${grant.name}" may push only for stations in ${grant.city}`;
  return null;
}

export interface KeyUsage {
  accepted: number;
  rejected: number;
  lastUsed: number;
}

export class ApiKeyRegistry {
  private readonly bootstrap: readonly ApiKey[];
  private readonly byHash = new Map<string, KeyGrant>();
  private readonly states = new Map<string, { hash: string; at: number }>();
  private usage = new Map<string, KeyUsage>();
  private readonly listeners = new Set<(keyId: string) => void>();

  constructor(bootstrap: readonly ApiKey[]) {
    this.bootstrap = bootstrap;
  }

  /** The grant of a presented key; null when unknown or revoked. */
  lookup(presented: string | undefined): KeyGrant | null {
    if (!presented) return null;
    const owner = apiKeyOwner(this.bootstrap, presented);
    if (owner) return { keyId: null, name: owner, city: null, stations: [] };
    // A map lookup by the secret's SHA-256: what a timing difference could reveal is a prefix
    // of a hash, which says nothing about any secret.
    return this.byHash.get(hashApiKey(presented)) ?? null;
  }

  /** Applies a key's state unless a newer one is already known. */
  apply(s: IntegratorKeyState): void {
    const at = Date.parse(s.at);
    const known = this.states.get(s.keyId);
    if (known && known.at > at) return;
    if (known) this.byHash.delete(known.hash);
    this.states.set(s.keyId, { hash: s.hash, at });
    if (!s.revoked)
      this.byHash.set(s.hash, { keyId: s.keyId, name: s.name, city: s.city, stations: s.stations });
    for (const l of this.listeners) l(s.keyId);
  }

  /** Called after each applied change (tests and the console's live view wait on it). */
  onChange(listener: (keyId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts readings a database key pushed; bootstrap keys are not counted (they have no row). */
  count(grant: KeyGrant | null, accepted: number, rejected: number): void {
    if (!grant?.keyId) return;
    const u = this.usage.get(grant.keyId) ?? { accepted: 0, rejected: 0, lastUsed: 0 };
    u.accepted += accepted;
    u.rejected += rejected;
    u.lastUsed = Date.now();
    this.usage.set(grant.keyId, u);
  }

  /** The counts since the last drain, per key id, for the periodic write to the database. */
  drainUsage(): Map<string, KeyUsage> {
    const out = this.usage;
    this.usage = new Map();
    return out;
  }

  /** Puts counts back after a failed write, so none are lost. */
  restoreUsage(drained: Map<string, KeyUsage>): void {
    for (const [id, u] of drained) {
      const cur = this.usage.get(id);
      this.usage.set(
        id,
        cur
          ? {
              accepted: cur.accepted + u.accepted,
              rejected: cur.rejected + u.rejected,
              lastUsed: Math.max(cur.lastUsed, u.lastUsed),
            }
          : u,
      );
    }
  }
}
