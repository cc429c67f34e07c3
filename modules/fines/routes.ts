// Traffic fines by plate + the last six characters of the engine number: looked up by what the
// payer knows, never listed wholesale. The traffic_fines table is created by 0303_billing (the
// migration keeps its name so existing databases do not re-apply it).
import { z } from 'zod';
import { admitLookup } from '../../core/http/index.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { money } from '../../core/module/common.ts';
import type { LocalizedNames } from '../../core/events/names.ts';
import { fineList } from './schemas.ts';

const security = [{ bearerAuth: [] }];

/** Plates are compared without spaces or dots and in upper case: 粤B·12345 = 粤B12345. */
export const normalisePlate = (p: string) => p.replace(/[\s·.-]/g, '').toUpperCase();

export function registerFineRoutes({ app, db, guards, lookups }: ApiDeps): void {
  app.get(
    '/fines',
    {
      schema: {
        tags: ['fines'],
        security,
        summary:
          'Traffic fines of one vehicle: plate and the last six characters of its engine number, both required',
        querystring: z.object({
          plate: z.string().min(5).max(16),
          engineNoSuffix: z.string().regex(/^[0-9A-Za-z]{6}$/, {
            error: 'expected exactly the last 6 characters of the engine number',
          }),
        }),
        response: { 200: fineList },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      const charge = admitLookup(lookups, request, reply, await guards.user(request));
      const plate = normalisePlate(request.query.plate);
      // A wrong suffix and an unknown plate give the same empty answer: nothing to probe.
      const { rows } = await db.query<{
        id: string;
        city: string;
        plate: string;
        offence: string;
        offences: LocalizedNames;
        location: string;
        locations: LocalizedNames;
        occurred_at: Date;
        amount: string;
        points: number;
        status: string;
        paid_at: Date | null;
      }>(
        `SELECT * FROM traffic_fines WHERE plate = $1 AND upper(right(engine_no, 6)) = upper($2) ORDER BY occurred_at DESC`,
        [plate, request.query.engineNoSuffix],
      );
      charge(rows.length > 0 ? 'hit' : 'miss');
      return {
        items: rows.map((f) => ({
          id: f.id,
          city: f.city,
          plate: f.plate,
          offence: f.offence,
          offences: f.offences,
          location: f.location,
          locations: f.locations,
          occurredAt: f.occurred_at.toISOString(),
          amount: money(f.amount),
          currency: 'CNY' as const,
          points: f.points,
          status: f.status,
          ...(f.paid_at ? { paidAt: f.paid_at.toISOString() } : {}),
        })),
      };
    },
  );
}
