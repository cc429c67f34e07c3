// /v1/incidents: report (JSON, or multipart with a photo), browse, staff status workflow.
import { Invalid, Unprocessable } from '../../core/errors.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../core/events/services.ts';
import { caller, HttpProblem, multipartProblem } from '../../core/http/index.ts';
import { city, idParam, parseBody } from '../../core/module/common.ts';
import { phoneNumber, textOfAtLeast } from '../../core/module/personal.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { CATEGORIES, categoryCode, cityAt, DESCRIPTION_MIN_CHARS, PHOTO_TYPES, sniffImage } from './model.ts';
import { incidentList, incidentResponse } from './schemas.ts';
import { StaleVersion, triage } from './triage.ts';
import { ifMatchVersion, setEtag } from './versioning.ts';
import { createIncident, getIncident, incidentPhoto, incidentView, listIncidents } from './store.ts';
import { registerMyIncidentRoutes } from './mine.ts';

const tags = ['incidents'];
const publicRoute = { auth: 'public' } as const;

const reporter = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    phone: phoneNumber.optional(),
    email: z.email({ error: 'expected an email address' }).optional(),
  })
  .refine((r) => r.phone || r.email, {
    error: 'give a phone number or an email so the police can reach you',
    params: { code: 'contact_required' },
  });

export const incidentInput = z.object({
  category: categoryCode,
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  description: textOfAtLeast(
    DESCRIPTION_MIN_CHARS,
    2000,
    `describe what happened (at least ${DESCRIPTION_MIN_CHARS} characters)`,
  ),
  address: z.string().trim().max(300).optional(),
  reporter,
});

export const bboxParam = z.string().transform((v, ctx) => {
  const n = v.split(',').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[0]! > n[2]! || n[1]! > n[3]!) {
    ctx.addIssue({ code: 'custom', message: 'expected minLon,minLat,maxLon,maxLat' });
    return z.NEVER;
  }
  return n as [number, number, number, number];
});

/** Resolves the served city of a pin, or refuses it. */
export function serviceCity(lat: number, lon: number) {
  const c = cityAt(lat, lon);
  if (!c) {
    throw new Unprocessable(
      'the pin is outside the service area (Shenzhen, Guangzhou, Foshan)',
      [
        { in: 'body', field: 'lat', message: 'outside the service area', code: 'outside_service_area' },
        { in: 'body', field: 'lon', message: 'outside the service area', code: 'outside_service_area' },
      ],
      'outside_service_area',
    );
  }
  return c;
}

/** Reads a multipart report; a malformed body is a 400, never a 500. */
async function readMultipart(request: FastifyRequest) {
  try {
    return await readParts(request);
  } catch (err) {
    throw multipartProblem(err);
  }
}

/** Text fields plus at most one `photo` file, checked by its bytes. */
async function readParts(request: FastifyRequest) {
  const fields: Record<string, unknown> = {};
  const reporterFields: Record<string, string> = {};
  let photo: { bytes: Buffer; type: string } | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'photo')
        throw new Invalid(`unexpected file field ${part.fieldname}; send the image as "photo"`);
      const bytes = await part.toBuffer();
      const type = sniffImage(bytes);
      if (!type) {
        throw new HttpProblem(
          415,
          'Unsupported Media Type',
          `photo must be one of ${PHOTO_TYPES.join(', ')} (checked by content, not name)`,
          {
            code: 'unsupported_photo',
            errors: [
              {
                in: 'body',
                field: 'photo',
                message: 'not a JPEG, PNG or WebP image',
                code: 'unsupported_photo',
              },
            ],
          },
        );
      }
      photo = { bytes, type };
    } else if (part.fieldname.startsWith('reporter.') || part.fieldname.startsWith('reporter_')) {
      reporterFields[part.fieldname.slice('reporter.'.length)] = String(part.value);
    } else {
      fields[part.fieldname] = part.value;
    }
  }
  return { body: { ...fields, reporter: reporterFields }, photo };
}

export function registerIncidentRoutes(deps: ApiDeps): void {
  const { app, db, nudge } = deps;
  registerMyIncidentRoutes(deps);
  app.get(
    '/incidents/categories',
    { schema: { tags, summary: 'Incident categories' }, config: publicRoute },
    () => ({
      items: CATEGORIES.map((c) => ({ ...c })),
    }),
  );

  app.post(
    '/incidents',
    {
      schema: {
        tags,
        summary: `Report an incident: JSON, or multipart/form-data with the same fields (reporter.name, reporter.phone, reporter.email) and an optional "photo" (${PHOTO_TYPES.join(', ')})`,
        response: { 201: incidentResponse },
      },
      config: {
        auth: 'public',
        responses: { 201: 'reported', 422: 'the pin is outside the service area' },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      let input: z.output<typeof incidentInput>;
      let photo: { bytes: Buffer; type: string } | undefined;
      if (request.isMultipart()) {
        const m = await readMultipart(request);
        input = parseBody(incidentInput, m.body);
        photo = m.photo;
      } else {
        input = parseBody(incidentInput, request.body);
      }
      const row = await createIncident(db, {
        ...input,
        city: serviceCity(input.lat, input.lon),
        reporterId: principal?.sub,
        photo,
      });
      nudge();
      return reply.code(201).header('location', `/v1/incidents/${row.id}`).send(incidentView(row, principal));
    },
  );

  app.get(
    '/incidents',
    {
      schema: {
        tags,
        summary:
          'Incidents, newest first, filtered by city, status (comma-separated), category, bbox=minLon,minLat,maxLon,maxLat',
        querystring: z.object({
          city: city.optional(),
          status: z
            .string()
            .transform((v) => v.split(','))
            .pipe(z.array(z.enum(INCIDENT_STATUSES)))
            .optional(),
          category: categoryCode.optional(),
          bbox: bboxParam.optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
        response: { 200: incidentList },
      },
      config: publicRoute,
    },
    async (request) => {
      const rows = await listIncidents(db, request.query);
      return { items: rows.map((r) => incidentView(r, request.principal)) };
    },
  );

  app.get(
    '/incidents/:id',
    {
      schema: { tags, summary: 'One incident', params: idParam, response: { 200: incidentResponse } },
      config: publicRoute,
    },
    async (request, reply) => {
      const row = await getIncident(db, request.params.id);
      setEtag(reply, row.version);
      return incidentView(row, request.principal);
    },
  );

  app.get(
    '/incidents/:id/photo',
    { schema: { tags, summary: 'The photo of an incident', params: idParam }, config: publicRoute },
    async (request, reply) => {
      const p = await incidentPhoto(db, request.params.id);
      return reply.type(p.type).header('cache-control', 'public, max-age=86400').send(p.bytes);
    },
  );

  app.patch(
    '/incidents/:id',
    {
      schema: {
        tags,
        security: [{ bearerAuth: [] }],
        summary:
          'Move an incident through submitted → acknowledged → in_progress → resolved / rejected (staff)',
        params: idParam,
        body: z.object({
          status: z.enum(INCIDENT_STATUSES),
          note: z.string().trim().min(1).max(1000).optional(),
        }),
        response: { 200: incidentResponse },
      },
      config: {
        auth: 'staff',
        responses: {
          409: 'the move is not allowed from the current status',
          412: 'If-Match was sent and the incident changed since: `current` is the incident now',
        },
      },
    },
    async (request, reply) => {
      const staff = caller(request);
      let row;
      try {
        row = await triage(
          db,
          staff,
          request.params.id,
          { status: request.body.status, note: request.body.note },
          ifMatchVersion(request),
        );
      } catch (err) {
        if (!(err instanceof StaleVersion)) throw err;
        setEtag(reply, err.current.version);
        throw new HttpProblem(412, 'Precondition Failed', err.message, {
          current: incidentView(err.current, staff),
        });
      }
      nudge();
      setEtag(reply, row.version);
      return incidentView(row, staff);
    },
  );
}
