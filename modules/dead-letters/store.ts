// Dead letters as staff see them: stored once per dlq.v1 record, filtered, counted per reason,
// and marked replayed or discarded (each replay recorded, with the audit line).
import type { Queryable } from '../../core/db/types.ts';
import type { DeadLetter } from '../../core/events/dlq.ts';

export const DEAD_LETTER_STATUSES = ['open', 'replayed', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetterRow {
  id: string;
  origin: string;
  topic: string | null;
  key: string | null;
  reason: string;
  issues: { path: string; message: string }[];
  raw: string;
  raw_bytes: number | null;
  replay_of: string | null;
  received_at: Date;
  status: DeadLetterStatus;
  updated_at: Date;
}

/** Stores a dead letter under its Kafka position; a re-delivery of the same record changes nothing. */
export async function storeDeadLetter(db: Queryable, id: string, d: DeadLetter): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (id, origin, topic, key, reason, issues, raw, raw_bytes, replay_of, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
    [
      id,
      d.origin,
      d.topic ?? null,
      d.key ?? null,
      d.reason,
      JSON.stringify(d.issues),
      d.raw,
      d.rawBytes ?? null,
      d.replayOf ?? null,
      new Date(d.receivedAt),
    ],
  );
}

export interface DeadLetterFilter {
  status?: DeadLetterStatus | undefined;
  /** Substring of the reason. */
  reason?: string | undefined;
  /** Prefix of the origin: `ingest:mqtt`, `consumer:air-sink` ... */
  origin?: string | undefined;
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function where(f: Omit<DeadLetterFilter, 'limit'>): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => parts.push(sql.replace('?', `$${params.push(v)}`));
  if (f.status) add('status = ?', f.status);
  if (f.reason) add('reason ILIKE ?', `%${escapeLike(f.reason)}%`);
  if (f.origin) add('origin LIKE ?', `${escapeLike(f.origin)}%`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export async function listDeadLetters(db: Queryable, f: DeadLetterFilter): Promise<DeadLetterRow[]> {
  const w = where(f);
  return (
    await db.query<DeadLetterRow>(
      `SELECT * FROM dead_letters ${w.sql} ORDER BY received_at DESC, id DESC LIMIT ${Math.trunc(f.limit)}`,
      w.params,
    )
  ).rows;
}

/**
 * Counts per reason. Reasons name items and stations (`item 3 stationId: …`); the class is the
 * text after the item number with station ids and numbers folded, so alike reasons count together.
 */
export async function countByReason(
  db: Queryable,
  f: Omit<DeadLetterFilter, 'limit'>,
): Promise<{ reason: string; count: number }[]> {
  const w = where(f);
  const { rows } = await db.query<{ reason: string; count: number }>(
    `SELECT reason, count(*)::int AS count FROM dead_letters ${w.sql} GROUP BY reason`,
    w.params,
  );
  const classes = new Map<string, number>();
  for (const r of rows) {
    const c = reasonClass(r.reason);
    classes.set(c, (classes.get(c) ?? 0) + Number(r.count));
  }
  return [...classes].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}

export function reasonClass(reason: string): string {
  return reason
    .replace(/^item \d+ /, '')
    .replace(/\b[A-Z]{2}-[A-Z0-9-]+\b/g, '…')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 120);
}

export async function getDeadLetters(db: Queryable, ids: readonly string[]): Promise<DeadLetterRow[]> {
  return (await db.query<DeadLetterRow>('SELECT * FROM dead_letters WHERE id = ANY($1::text[])', [ids])).rows;
}

export async function markReplayed(db: Queryable, id: string, by: string, target: string): Promise<void> {
  await db.query(
    `INSERT INTO dead_letter_replays (dead_letter_id, replayed_by, target) VALUES ($1, $2, $3)`,
    [id, by, target],
  );
  await db.query(`UPDATE dead_letters SET status = 'replayed', updated_at = now() WHERE id = $1`, [id]);
}

export async function markDiscarded(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE dead_letters SET status = 'discarded', updated_at = now() WHERE id = ANY($1::text[]) AND status <> 'discarded'
     RETURNING id`,
    [ids],
  );
  return rows.map((r) => r.id);
}
