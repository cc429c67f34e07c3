// /v1/staff/audit: the audit log for the console (newest first, filtered, paged) and as CSV.
import { z } from 'zod';
import { isoDateTime } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { csvLine } from './csv.ts';
import { auditList } from './schemas.ts';
import { listAudit, type AuditRow } from './store.ts';

const tags = ['staff'];
const filter = z.object({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  target: z.string().min(1).max(200).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
/** The export is bounded too: a year of a busy desk, not the whole table in memory. */
const CSV_MAX_ROWS = 50_000;

const view = (r: AuditRow) => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: r.before ?? null,
  after: r.after ?? null,
});

const toFilter = (q: z.output<typeof filter>) => ({
  ...q,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
});

export function registerAuditRoutes({ app, db }: ApiDeps): void {
  app.get(
    '/staff/audit',
    {
      schema: {
        tags,
        summary: 'The audit log of staff actions, newest first (action and target match by prefix)',
        security: [{ bearerAuth: [] }],
        querystring: filter,
        response: { 200: auditList },
      },
      config: { auth: 'staff' },
    },
    async (request) => ({ items: (await listAudit(db, toFilter(request.query))).map(view) }),
  );

  app.get(
    '/staff/audit.csv',
    {
      schema: {
        tags,
        summary: `The audit log as CSV (same filters; at most ${CSV_MAX_ROWS} rows, newest first)`,
        security: [{ bearerAuth: [] }],
        querystring: filter.omit({ limit: true }),
      },
      config: {
        auth: 'staff',
        responses: { 200: 'the audit log as CSV' },
        responseTypes: { 200: 'text/csv' },
      },
    },
    async (request, reply) => {
      const rows = await listAudit(db, toFilter({ ...request.query, limit: CSV_MAX_ROWS }));
      let out = csvLine(['id', 'at', 'actor', 'action', 'target', 'before', 'after']);
      for (const r of rows) {
        const v = view(r);
        out += csvLine([v.id, v.at, v.actor, v.action, v.target, v.before, v.after]);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"')
        .send(out);
    },
  );
}
