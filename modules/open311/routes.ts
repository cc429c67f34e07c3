// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the incident data, JSON format:
// services (= categories), service requests (= incidents), and posting a request.
import { NotFound } from '../../core/errors.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../../core/module/deps.ts';
import { isoDateTime, parseBody } from '../../core/module/common.ts';
import {
  CATEGORIES,
  categoryCode,
  createIncident,
  getIncident,
  listIncidents,
  serviceCity,
  type IncidentRow,
  type IncidentStatus,
} from '../incidents/index.ts';

const tags = ['open311'];
const publicRoute = { auth: 'public' } as const;
export const OPEN311_PREFIX = '/open311/v2';
const AGENCY = 'Public Security Bureau';

const OPEN: IncidentStatus[] = ['submitted', 'acknowledged', 'in_progress'];
const CLOSED: IncidentStatus[] = ['resolved', 'rejected'];

const serviceName = (code: string) => CATEGORIES.find((c) => c.code === code)?.name ?? code;

function toRequest(i: IncidentRow) {
  return {
    service_request_id: i.id,
    status: CLOSED.includes(i.status) ? 'closed' : 'open',
    status_notes: i.status_note ?? i.status,
    service_name: serviceName(i.category),
    service_code: i.category,
    description: i.description,
    agency_responsible: AGENCY,
    service_notice: null,
    requested_datetime: i.created_at.toISOString(),
    updated_datetime: i.updated_at.toISOString(),
    expected_datetime: null,
    address: i.address ?? '',
    // Not in GeoReport v2: the pin's district (official Chinese name), computed by the hub.
    district: i.district,
    address_id: null,
    zipcode: null,
    lat: i.lat,
    long: i.lon,
    media_url: i.has_photo ? `/v1/incidents/${i.id}/photo` : null,
  };
}

const postRequest = z.object({
  service_code: categoryCode,
  lat: z.coerce.number().min(-90).max(90),
  long: z.coerce.number().min(-180).max(180),
  address_string: z.string().trim().max(300).optional(),
  description: z.string().trim().min(5).max(2000),
  email: z.email().optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 -]{6,20}$/)
    .optional(),
  first_name: z.string().trim().max(50).optional(),
  last_name: z.string().trim().max(50).optional(),
});

export function registerOpen311Routes({ app, db, nudge }: ApiDeps): void {
  app.get(`/discovery.json`, { schema: { tags, summary: 'Open311 discovery' }, config: publicRoute }, () => ({
    changeset: '2026-11-24T00:00:00Z',
    contact: 'citystream operators',
    key_service: 'Bearer tokens from citystream token; anonymous reports need an email or phone',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: OPEN311_PREFIX,
        changeset: '2026-11-24T00:00:00Z',
        type: 'production',
        formats: ['application/json'],
      },
    ],
  }));

  app.get(
    `/services.json`,
    { schema: { tags, summary: 'Service list (incident categories)' }, config: publicRoute },
    () =>
      CATEGORIES.map((c) => ({
        service_code: c.code,
        service_name: c.name,
        description: c.description,
        metadata: false,
        type: 'realtime',
        keywords: c.code.replace(/_/g, ', '),
        group: 'police',
      })),
  );

  app.get(
    `/requests.json`,
    {
      schema: {
        tags,
        summary: 'Service requests (incidents)',
        querystring: z.object({
          service_request_id: z.string().max(2000).optional(),
          service_code: categoryCode.optional(),
          start_date: isoDateTime.optional(),
          end_date: isoDateTime.optional(),
          status: z.enum(['open', 'closed']).optional(),
        }),
      },
      config: publicRoute,
    },
    async (request) => {
      const q = request.query;
      const rows = await listIncidents(db, {
        ids: q.service_request_id?.split(','),
        category: q.service_code,
        status: q.status === 'open' ? OPEN : q.status === 'closed' ? CLOSED : undefined,
        // GeoReport v2 defaults to the last 90 days, at most 1000 requests.
        from: q.start_date ? new Date(q.start_date) : new Date(Date.now() - 90 * 86_400_000),
        to: q.end_date ? new Date(q.end_date) : undefined,
        limit: 1000,
      });
      return rows.map(toRequest);
    },
  );

  app.get(
    `/requests/:id`,
    {
      schema: {
        tags,
        summary: 'One service request: /requests/{id}.json',
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_]+\.json$/) }),
      },
      config: publicRoute,
    },
    async (request) => {
      const id = request.params.id.replace(/\.json$/, '');
      return [
        toRequest(
          await getIncident(db, id).catch(() => {
            throw new NotFound(`service request ${id} not found`);
          }),
        ),
      ];
    },
  );

  // GeoReport v2 clients post application/x-www-form-urlencoded.
  void app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      `/requests.json`,
      {
        schema: { tags, summary: 'Create a service request (form-encoded or JSON)' },
        config: { auth: 'public', responses: { 201: 'received', 422: 'outside the service area' } },
      },
      async (request, reply) => {
        const principal = request.principal;
        const b = parseBody(
          postRequest.refine((r) => r.email || r.phone, {
            error: 'give an email or phone',
            path: ['email'],
          }),
          request.body,
        );
        const name = [b.first_name, b.last_name].filter(Boolean).join(' ') || undefined;
        const row = await createIncident(db, {
          city: serviceCity(b.lat, b.long),
          category: b.service_code,
          lat: b.lat,
          lon: b.long,
          address: b.address_string,
          description: b.description,
          reporter: { name, phone: b.phone, email: b.email },
          reporterId: principal?.sub,
        });
        nudge();
        return reply
          .code(201)
          .send([
            { service_request_id: row.id, service_notice: `received by the ${AGENCY}`, account_id: null },
          ]);
      },
    );
  });
}
