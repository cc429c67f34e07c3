// Staff changes to an incident: a status move along the workflow, an assignment to a department,
// or both, with a note the reporter sees. Optimistic concurrency: a caller that read version v
// sends it back (If-Match); if someone changed the incident since, nothing is written and
// StaleVersion carries the fresh row for the 412. Each change, in one transaction: the row (version
// + 1), the status history, the public incidents.v1 event (incidents:city:{c}), the reporter's
// notice on notices.v1 (user:{id}), and the audit line.
import type { Principal } from '../../core/auth/index.ts';
import type { Db } from '../../core/db/types.ts';
import { Conflict, NotFound } from '../../core/errors.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import type { City } from '../../core/module/common.ts';
import { recordEvent } from '../../core/outbox/write.ts';
import { recordAudit } from '../audit/index.ts';
import { TRANSITIONS, type IncidentStatus } from './model.ts';
import { COLUMNS, type IncidentRow } from './store.ts';

export interface TriageChange {
  status?: IncidentStatus | undefined;
  department?: string | undefined;
  note?: string | undefined;
  /** For the audit line: `resolve`, `assign` ...; defaults from the change. */
  action?: string | undefined;
}

/** The incident changed since the caller read it: `current` is what it is now. */
export class StaleVersion extends Error {
  readonly current: IncidentRow;
  constructor(current: IncidentRow) {
    super(`incident ${current.id} was changed by someone else (now version ${current.version})`);
    this.current = current;
    this.name = 'StaleVersion';
  }
}

const snapshot = (r: IncidentRow) => ({
  status: r.status,
  statusNote: r.status_note,
  department: r.department,
  version: r.version,
});

export async function triage(
  db: Db,
  staff: Principal,
  id: string,
  change: TriageChange,
  ifVersion?: number,
): Promise<IncidentRow> {
  return db.transaction(async (tx) => {
    const current = (
      await tx.query<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`, [id])
    ).rows[0];
    if (!current) throw new NotFound(`incident ${id} not found`);
    if (ifVersion !== undefined && current.version !== ifVersion) throw new StaleVersion(current);
    const to = change.status;
    if (to !== undefined) {
      const allowed = TRANSITIONS[current.status];
      if (!allowed.includes(to)) {
        throw new Conflict(
          `incident ${id} is ${current.status}; it can move to ${allowed.length ? allowed.join(' or ') : 'nothing (closed)'}`,
          { allowed },
        );
      }
    }
    const row = (
      await tx.query<IncidentRow>(
        `UPDATE incidents SET status = $2, status_note = $3, department = $4, version = version + 1,
           updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          to ?? current.status,
          to !== undefined ? (change.note ?? null) : current.status_note,
          change.department ?? current.department,
          // A note with an assignment only is history (below), not the status note.
        ],
      )
    ).rows[0]!;
    const changedAt = row.updated_at.toISOString();
    if (to !== undefined) {
      await tx.query(
        'INSERT INTO incident_updates (incident_id, from_status, to_status, note, changed_by) VALUES ($1, $2, $3, $4, $5)',
        [id, current.status, to, change.note ?? null, staff.sub],
      );
      await recordEvent(
        tx,
        {
          topic: TOPICS.incidents.name,
          type: EVENT_TYPES.incidentStatusChanged,
          data: {
            incidentId: id,
            city: row.city as City,
            from: current.status,
            to,
            ...(change.note ? { note: change.note } : {}),
            changedBy: staff.sub,
            changedAt,
          },
        },
        `incident/${id}`,
      );
      if (row.reporter_id) {
        await recordEvent(
          tx,
          {
            topic: TOPICS.notices.name,
            type: EVENT_TYPES.incidentNotice,
            data: {
              userId: row.reporter_id,
              incidentId: id,
              city: row.city as City,
              from: current.status,
              status: to,
              ...(change.note ? { note: change.note } : {}),
              changedAt,
            },
          },
          `incident/${id}`,
        );
      }
    }
    if (change.department !== undefined && change.department !== current.department) {
      await recordEvent(
        tx,
        {
          topic: TOPICS.incidents.name,
          type: EVENT_TYPES.incidentAssigned,
          data: {
            incidentId: id,
            city: row.city as City,
            department: change.department,
            changedBy: staff.sub,
            changedAt,
          },
        },
        `incident/${id}`,
      );
    }
    await recordAudit(tx, {
      actor: staff.sub,
      action: `incident.${change.action ?? (to !== undefined ? `status.${to}` : 'assign')}`,
      target: `incident/${id}`,
      before: snapshot(current),
      after: { ...snapshot(row), ...(change.note ? { note: change.note } : {}) },
    });
    return row;
  });
}

export interface IncidentUpdate {
  from_status: string;
  to_status: string;
  note: string | null;
  changed_by: string;
  changed_at: Date;
}

export async function incidentHistory(db: Db, id: string): Promise<IncidentUpdate[]> {
  const { rows } = await db.query<IncidentUpdate>(
    'SELECT from_status, to_status, note, changed_by, changed_at FROM incident_updates WHERE incident_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}
