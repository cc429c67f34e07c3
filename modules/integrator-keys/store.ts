// Integrator keys in the database. Each change (create, rotate, revoke) commits with its audit
// line and its full new state on integrator-keys.v1 (through the outbox), which every process
// applies to its in-memory registry (core/auth/api-keys.ts).
import { randomBytes } from 'node:crypto';
import { hashApiKey, type KeyUsage } from '../../core/auth/index.ts';
import type { Principal } from '../../core/auth/index.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { Conflict, NotFound } from '../../core/errors.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import type { IntegratorKeyState } from '../../core/events/keys.ts';
import { newId } from '../../core/module/common.ts';
import { recordEvent } from '../../core/outbox/write.ts';
import { recordAudit } from '../audit/index.ts';

export interface KeyRow {
  id: string;
  name: string;
  hash: string;
  retired_hashes: string[];
  city: string | null;
  stations: string[];
  created_by: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  updated_at: Date;
  last_used_at: Date | null;
  accepted: number;
  rejected: number;
}

/** 24 random bytes, URL-safe, with a prefix that makes a leaked key easy to recognise and scan for. */
const newSecret = () => `csk_${randomBytes(24).toString('base64url')}`;

export const stateOf = (r: KeyRow): IntegratorKeyState => ({
  keyId: r.id,
  name: r.name,
  hash: r.hash,
  retired: r.retired_hashes,
  city: r.city,
  stations: r.stations,
  revoked: r.revoked_at !== null,
  at: r.updated_at.toISOString(),
});

/** What staff see of a key: never the hash. */
export const keyView = (r: KeyRow) => ({
  id: r.id,
  name: r.name,
  city: r.city,
  stations: r.stations,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  rotatedAt: r.rotated_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  accepted: Number(r.accepted),
  rejected: Number(r.rejected),
});

const audited = (r: KeyRow) => {
  const { accepted: _a, rejected: _r, lastUsedAt: _l, ...v } = keyView(r);
  return v;
};

async function publishState(tx: Queryable, r: KeyRow) {
  await recordEvent(
    tx,
    { topic: TOPICS.integratorKeys.name, type: EVENT_TYPES.integratorKey, data: stateOf(r) },
    `key/${r.id}`,
  );
}

export async function createKey(
  db: Db,
  staff: Principal,
  k: { name: string; city?: string | undefined; stations?: string[] | undefined },
): Promise<{ row: KeyRow; secret: string }> {
  const secret = newSecret();
  const row = await db.transaction(async (tx) => {
    const r = (
      await tx.query<KeyRow>(
        `INSERT INTO integrator_keys (id, name, hash, city, stations, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING *`,
        [newId('key'), k.name, hashApiKey(secret), k.city ?? null, k.stations ?? [], staff.sub],
      )
    ).rows[0]!;
    await publishState(tx, r);
    await recordAudit(tx, {
      actor: staff.sub,
      action: 'key.create',
      target: `key/${r.id}`,
      after: audited(r),
    });
    return r;
  });
  return { row, secret };
}

async function change(
  db: Db,
  staff: Principal,
  id: string,
  action: 'rotate' | 'revoke',
  sql: string,
  params: unknown[],
): Promise<KeyRow> {
  return db.transaction(async (tx) => {
    const before = (await tx.query<KeyRow>('SELECT * FROM integrator_keys WHERE id = $1 FOR UPDATE', [id]))
      .rows[0];
    if (!before) throw new NotFound(`key ${id} not found`);
    if (before.revoked_at) throw new Conflict(`key ${id} was revoked on ${before.revoked_at.toISOString()}`);
    const r = (await tx.query<KeyRow>(sql, [id, ...params])).rows[0]!;
    await publishState(tx, r);
    await recordAudit(tx, {
      actor: staff.sub,
      action: `key.${action}`,
      target: `key/${id}`,
      before: audited(before),
      after: audited(r),
    });
    return r;
  });
}

/** A new secret; the old one stops working at once (kept hashed as retired, for the record). */
export async function rotateKey(
  db: Db,
  staff: Principal,
  id: string,
): Promise<{ row: KeyRow; secret: string }> {
  const secret = newSecret();
  const row = await change(
    db,
    staff,
    id,
    'rotate',
    `UPDATE integrator_keys SET retired_hashes = retired_hashes || hash, hash = $2, rotated_at = now(),
       updated_at = now() WHERE id = $1 RETURNING *`,
    [hashApiKey(secret)],
  );
  return { row, secret };
}

export const revokeKey = (db: Db, staff: Principal, id: string) =>
  change(
    db,
    staff,
    id,
    'revoke',
    'UPDATE integrator_keys SET revoked_at = now(), updated_at = now() WHERE id = $1 RETURNING *',
    [],
  );

export async function listKeys(db: Queryable): Promise<KeyRow[]> {
  return (await db.query<KeyRow>('SELECT * FROM integrator_keys ORDER BY created_at DESC LIMIT 1000')).rows;
}

/** Adds counts gathered by one process since its last write. */
export async function addUsage(db: Queryable, usage: Map<string, KeyUsage>): Promise<void> {
  for (const [id, u] of usage) {
    await db.query(
      `UPDATE integrator_keys SET accepted = accepted + $2, rejected = rejected + $3,
         last_used_at = GREATEST(COALESCE(last_used_at, to_timestamp(0)), to_timestamp($4 / 1000.0)) WHERE id = $1`,
      [id, u.accepted, u.rejected, u.lastUsed],
    );
  }
}
