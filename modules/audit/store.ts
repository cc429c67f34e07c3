// The audit log: every staff action appended in the transaction of the change it records, so a
// change and its audit line commit together or not at all.
import type { Queryable } from '../../core/db/types.ts';

export interface AuditEntry {
  /** Who: the staff member's user id (token `sub`). */
  actor: string;
  /** What, as `area.verb`: `incident.resolve`, `key.revoke`, `dead_letter.replay` ... */
  action: string;
  /** On what, as `kind/id`: `incident/inc_…`, `key/key_…`. */
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export async function recordAudit(tx: Queryable, e: AuditEntry): Promise<void> {
  await tx.query('INSERT INTO audit_log (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)', [
    e.actor,
    e.action,
    e.target,
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
  ]);
}

export interface AuditFilter {
  actor?: string | undefined;
  /** A prefix: `incident.` matches every incident action. */
  action?: string | undefined;
  /** A prefix: `incident/` or one target. */
  target?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Rows with an id below this (the next page of a newest-first listing). */
  before?: number | undefined;
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listAudit(db: Queryable, f: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => where.push(sql.replace('?', `$${params.push(value)}`));
  if (f.actor) add('actor = ?', f.actor);
  if (f.action) add('action LIKE ?', `${escapeLike(f.action)}%`);
  if (f.target) add('target LIKE ?', `${escapeLike(f.target)}%`);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at <= ?', f.to);
  if (f.before) add('id < ?', f.before);
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, action, target, before, after FROM audit_log
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${Math.trunc(f.limit)}`,
    params,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
