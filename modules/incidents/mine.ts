// What a reporter follows after sending a report: "my reports" (GET /v1/incidents/mine) and an
// incident's status history (GET /v1/incidents/{id}/history: each move with its staff note and
// time; who moved it stays internal).
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../core/events/services.ts';
import { caller } from '../../core/http/index.ts';
import { idParam } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { incidentList } from './schemas.ts';
import { COLUMNS, getIncident, incidentView, type IncidentRow } from './store.ts';

const tags = ['incidents'];

export const incidentHistory = z.object({
  items: z.array(
    z.object({
      from: z.enum(INCIDENT_STATUSES),
      to: z.enum(INCIDENT_STATUSES),
      note: z.string().optional(),
      at: z.string(),
    }),
  ),
});

export function registerMyIncidentRoutes({ app, db }: ApiDeps): void {
  app.get(
    '/incidents/mine',
    {
      schema: {
        tags,
        security: [{ bearerAuth: [] }],
        summary: 'Incidents I reported while signed in, newest first (with my contact details)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
        response: { 200: incidentList },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const me = caller(request);
      const { rows } = await db.query<IncidentRow>(
        `SELECT ${COLUMNS} FROM incidents WHERE reporter_id = $1 ORDER BY created_at DESC LIMIT $2`,
        [me.sub, request.query.limit ?? 50],
      );
      return { items: rows.map((r) => incidentView(r, me)) };
    },
  );

  app.get(
    '/incidents/:id/history',
    {
      schema: {
        tags,
        summary: 'Status history of an incident, oldest first: each move, its staff note and time',
        params: idParam,
        response: { 200: incidentHistory },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      await getIncident(db, request.params.id); // 404 for an unknown incident, not an empty list
      const { rows } = await db.query<{
        from_status: (typeof INCIDENT_STATUSES)[number];
        to_status: (typeof INCIDENT_STATUSES)[number];
        note: string | null;
        changed_at: Date;
      }>(
        `SELECT from_status, to_status, note, changed_at FROM incident_updates
         WHERE incident_id = $1 ORDER BY id LIMIT 100`,
        [request.params.id],
      );
      return {
        items: rows.map((r) => ({
          from: r.from_status,
          to: r.to_status,
          ...(r.note ? { note: r.note } : {}),
          at: r.changed_at.toISOString(),
        })),
      };
    },
  );
}
