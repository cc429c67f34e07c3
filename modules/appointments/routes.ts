// /v1/hospitals, /v1/doctors, /v1/appointments (docs/architecture.md, "HTTP API").
import { z } from 'zod';
import { caller, requestDb } from '../../core/http/index.ts';
import { city, cstDayRange, idParam, isoDate } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { patient } from './patient.ts';
import { departmentList, doctorList, hospitalList, slotDayList, slotList } from './schemas.ts';
import {
  bookAppointment,
  cancelAppointment,
  getAppointment,
  listAppointments,
  listDepartments,
  listDoctors,
  listHospitals,
  listSlotDays,
  listSlots,
  SLOT_DAYS_AHEAD,
  SlotTermsCache,
} from './store.ts';

const tags = ['appointments'];
const security = [{ bearerAuth: [] }];
const publicRoute = { auth: 'public' } as const;
const userRoute = { auth: 'user' } as const;

export function registerAppointmentRoutes({ app, db, nudge, clock }: ApiDeps): void {
  const slotTerms = new SlotTermsCache();
  app.get(
    '/hospitals',
    {
      schema: {
        tags,
        summary: 'Hospitals, optionally in one city',
        querystring: z.object({ city: city.optional() }),
        response: { 200: hospitalList },
      },
      config: publicRoute,
    },
    async (request) => ({ items: await listHospitals(db, request.query.city) }),
  );
  app.get(
    '/hospitals/:id/departments',
    {
      schema: {
        tags,
        summary: 'Departments of a hospital',
        params: idParam,
        response: { 200: departmentList },
      },
      config: publicRoute,
    },
    async (request) => ({ items: await listDepartments(db, request.params.id) }),
  );
  app.get(
    '/doctors',
    {
      schema: {
        tags,
        summary: 'Doctors of a department',
        querystring: z.object({ departmentId: z.string().min(1).max(100) }),
        response: { 200: doctorList },
      },
      config: publicRoute,
    },
    async (request) => ({ items: await listDoctors(db, request.query.departmentId) }),
  );
  app.get(
    '/doctors/:id/slots',
    {
      schema: {
        tags,
        summary: 'Bookable slots of a doctor on a day (China Standard Time); default today',
        params: idParam,
        querystring: z.object({ date: isoDate.optional() }),
        response: { 200: slotList },
      },
      config: publicRoute,
    },
    async (request) => {
      const date = request.query.date ?? new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const [from, to] = cstDayRange(date);
      return { items: await listSlots(db, request.params.id, from, to) };
    },
  );

  app.get(
    '/doctors/:id/days',
    {
      schema: {
        tags,
        summary: `Days (China Standard Time) with slots of a doctor not started yet, up to ${SLOT_DAYS_AHEAD} days ahead, with the places left on each`,
        params: idParam,
        response: { 200: slotDayList },
      },
      config: publicRoute,
    },
    async (request) => ({ items: await listSlotDays(db, request.params.id, new Date(clock.now())) }),
  );

  app.post(
    '/appointments',
    {
      schema: {
        tags,
        security,
        summary: 'Book a place in a slot: 201, or 409 when the slot is full or the patient already holds it',
        body: z.object({ slotId: z.string().min(1).max(100), patient }),
      },
      config: {
        auth: 'user',
        idempotency: 'atomic',
        responses: { 201: 'booked', 409: 'the slot is full or the patient holds it' },
      },
    },
    async (request, reply) => {
      const a = await bookAppointment(
        requestDb(request, db, nudge),
        caller(request).sub,
        request.body.slotId,
        request.body.patient,
        slotTerms,
      );
      return reply.code(201).header('location', `/v1/appointments/${a.id}`).send(a);
    },
  );
  app.get(
    '/appointments',
    { schema: { tags, security, summary: 'My appointments' }, config: userRoute },
    async (request) => ({ items: await listAppointments(db, caller(request).sub) }),
  );
  app.get(
    '/appointments/:id',
    { schema: { tags, security, summary: 'One of my appointments', params: idParam }, config: userRoute },
    async (request) => getAppointment(db, caller(request), request.params.id),
  );
  app.post(
    '/appointments/:id/cancel',
    {
      schema: { tags, security, summary: 'Cancel: frees the place and refunds a paid fee', params: idParam },
      config: userRoute,
    },
    async (request) => {
      const a = await cancelAppointment(db, caller(request), request.params.id);
      nudge();
      return a;
    },
  );
}
