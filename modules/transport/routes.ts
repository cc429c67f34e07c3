// /v1/transport: departures, seat maps, tickets that hold seats until paid or expired.
import { z } from 'zod';
import { dateOf } from '../../core/clock.ts';
import { caller, requestDb } from '../../core/http/index.ts';
import { city, cstDayRange, idParam, isoDate } from '../../core/module/common.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { departureList } from './schemas.ts';
import { cancelTicket, getTicket, holdSeats, listDepartures, listTickets, seatMap } from './store.ts';

const tags = ['transport'];
const security = [{ bearerAuth: [] }];
const publicRoute = { auth: 'public' } as const;
const userRoute = { auth: 'user' } as const;

export function registerTransportRoutes({ app, db, config, clock, nudge }: ApiDeps): void {
  app.get(
    '/transport/departures',
    {
      schema: {
        tags,
        summary: 'Coach and rail departures between two cities on a day (China Standard Time)',
        querystring: z.object({ from: city, to: city, date: isoDate }),
        response: { 200: departureList },
      },
      config: publicRoute,
    },
    async (request) => {
      const [start, end] = cstDayRange(request.query.date);
      return {
        items: await listDepartures(db, request.query.from, request.query.to, start, end, dateOf(clock)),
      };
    },
  );
  app.get(
    '/transport/departures/:id/seats',
    { schema: { tags, summary: 'Seat map: free or taken', params: idParam }, config: publicRoute },
    async (request) => ({ items: await seatMap(db, request.params.id, dateOf(clock)) }),
  );
  app.post(
    '/transport/tickets',
    {
      schema: {
        tags,
        security,
        summary: `Hold seats (chosen, or the first free ones) until paid or until the hold expires (${Math.round(config.ticketHoldSeconds / 60)} min); 409 when taken`,
        body: z
          .object({
            departureId: z.string().min(1).max(100),
            seats: z.array(z.string().min(1).max(10)).min(1).max(6).optional(),
            count: z.number().int().min(1).max(6).optional(),
            passenger: z.object({
              name: z.string().trim().min(1).max(100),
              idNumber: z
                .string()
                .trim()
                .regex(/^[0-9A-Za-z]{6,30}$/, { error: 'expected an identity document number' }),
            }),
          })
          .refine((b) => !(b.seats && b.count), {
            error: 'give either seats or count, not both',
            path: ['count'],
          })
          .refine((b) => !b.seats || new Set(b.seats).size === b.seats.length, {
            error: 'seats must not repeat',
            path: ['seats'],
          }),
      },
      config: {
        auth: 'user',
        idempotency: 'atomic',
        responses: { 201: 'seats held', 409: 'a wanted seat is taken' },
      },
    },
    async (request, reply) => {
      const t = await holdSeats(
        requestDb(request, db, nudge),
        caller(request).sub,
        request.body,
        config.ticketHoldSeconds,
        dateOf(clock),
      );
      return reply.code(201).header('location', `/v1/transport/tickets/${t.id}`).send(t);
    },
  );
  app.get(
    '/transport/tickets',
    { schema: { tags, security, summary: 'My tickets' }, config: userRoute },
    async (request) => ({ items: await listTickets(db, caller(request).sub) }),
  );
  app.get(
    '/transport/tickets/:id',
    { schema: { tags, security, summary: 'One of my tickets', params: idParam }, config: userRoute },
    async (request) => getTicket(db, caller(request), request.params.id, dateOf(clock)),
  );
  app.post(
    '/transport/tickets/:id/cancel',
    {
      schema: {
        tags,
        security,
        summary: 'Cancel: frees the seats and refunds a paid ticket',
        params: idParam,
      },
      config: userRoute,
    },
    async (request) => {
      const t = await cancelTicket(db, caller(request), request.params.id);
      nudge();
      return t;
    },
  );
}
