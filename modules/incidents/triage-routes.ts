// Staff triage routes under /v1/staff/incidents: the queue (filters, oldest first), one incident
// with its history and ETag, and actions (acknowledge, start, resolve, reject, assign) that must
// carry If-Match; a stale one gets 412 with the incident as it is now.
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../core/events/services.ts';
import { caller, HttpProblem } from '../../core/http/index.ts';
import { city, idParam } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { ACTION_NAMES, ACTIONS, categoryCode, DEPARTMENTS } from './model.ts';
import { incidentList, staffIncident } from './schemas.ts';
import { listIncidents, getIncident, incidentView, type IncidentRow } from './store.ts';
import { incidentHistory, StaleVersion, triage } from './triage.ts';
import { requiredIfMatch, setEtag } from './versioning.ts';
import type { Principal } from '../../core/auth/index.ts';
import type { Db } from '../../core/db/types.ts';

const tags = ['incidents'];
const staffOnly = { auth: 'staff' } as const;
const security = [{ bearerAuth: [] }];

const queueQuery = z.object({
  city: city.optional(),
  status: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(INCIDENT_STATUSES)))
    .optional(),
  category: categoryCode.optional(),
  sort: z.enum(['oldest', 'newest']).default('oldest'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const actionBody = z
  .object({
    action: z.enum([...ACTION_NAMES, 'assign']),
    note: z.string().trim().min(1).max(1000).optional(),
    department: z.enum(DEPARTMENTS).optional(),
  })
  .refine((b) => b.action !== 'assign' || b.department !== undefined, {
    error: 'assign needs a department',
    path: ['department'],
  });

async function detail(db: Db, row: IncidentRow, staff: Principal) {
  const history = await incidentHistory(db, row.id);
  return {
    ...incidentView(row, staff),
    history: history.map((h) => ({
      from: h.from_status,
      to: h.to_status,
      ...(h.note ? { note: h.note } : {}),
      by: h.changed_by,
      at: h.changed_at.toISOString(),
    })),
  };
}

export function registerTriageRoutes({ app, db, nudge }: ApiDeps): void {
  app.get(
    '/staff/incidents/departments',
    {
      schema: { tags, summary: 'Departments incidents are assigned to (staff)', security },
      config: staffOnly,
    },
    () => ({ items: [...DEPARTMENTS] }),
  );

  app.get(
    '/staff/incidents',
    {
      schema: {
        tags,
        summary:
          'The triage queue: incidents with reporter contact, version and department, oldest first (staff)',
        security,
        querystring: queueQuery,
        response: { 200: incidentList },
      },
      config: staffOnly,
    },
    async (request) => {
      const staff = caller(request);
      const rows = await listIncidents(db, request.query);
      // listIncidents gives newest first; the queue works from the oldest.
      if (request.query.sort === 'oldest') rows.reverse();
      return { items: rows.map((r) => incidentView(r, staff)) };
    },
  );

  app.get(
    '/staff/incidents/:id',
    {
      schema: {
        tags,
        summary: 'One incident with its status history; ETag is its version (staff)',
        security,
        params: idParam,
        response: { 200: staffIncident },
      },
      config: staffOnly,
    },
    async (request, reply) => {
      const row = await getIncident(db, request.params.id);
      setEtag(reply, row.version);
      return detail(db, row, caller(request));
    },
  );

  app.post(
    '/staff/incidents/:id/actions',
    {
      schema: {
        tags,
        summary:
          'Acknowledge, start, resolve or reject an incident, or assign it to a department, with a note the reporter sees; If-Match required (staff)',
        security,
        params: idParam,
        body: actionBody,
        response: { 200: staffIncident },
      },
      config: {
        ...staffOnly,
        responses: {
          409: 'the move is not allowed from the current status',
          412: 'changed by someone else since the If-Match version: `current` is the incident now',
          428: 'If-Match missing',
        },
      },
    },
    async (request, reply) => {
      const staff = caller(request);
      const version = requiredIfMatch(request);
      const { action, note, department } = request.body;
      let row: IncidentRow;
      try {
        row = await triage(
          db,
          staff,
          request.params.id,
          { status: action === 'assign' ? undefined : ACTIONS[action], department, note, action },
          version,
        );
      } catch (err) {
        if (!(err instanceof StaleVersion)) throw err;
        setEtag(reply, err.current.version);
        throw new HttpProblem(412, 'Precondition Failed', err.message, {
          current: await detail(db, err.current, staff),
        });
      }
      nudge();
      setEtag(reply, row.version);
      return detail(db, row, staff);
    },
  );
}
