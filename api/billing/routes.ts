// Electricity bills per account and traffic fines by plate + the last six characters of the
// engine number. Both are looked up by what the payer knows; neither can be listed wholesale.
import { z } from 'zod';
import { admitLookup } from '../../core/http/index.ts';
import type { ApiDeps } from '../shared/deps.ts';
import { money } from '../shared/common.ts';

const security = [{ bearerAuth: [] }];

/** Plates are compared without spaces or dots and in upper case: 粤B·12345 = 粤B12345. */
export const normalisePlate = (p: string) => p.replace(/[\s·.-]/g, '').toUpperCase();

export function registerBillingRoutes({ app, db, guards, lookups }: ApiDeps): void {
  app.get(
    '/v1/utilities/electricity/accounts/:accountNo/bills',
    {
      schema: {
        tags: ['bills'],
        security,
        summary: 'Bills of an electricity account (newest first)',
        params: z.object({
          accountNo: z.string().regex(/^[0-9]{10,16}$/, { error: 'expected a 10-16 digit account number' }),
        }),
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      // Account numbers are short: keep guessing slow (per user and per IP, misses cost more).
      const charge = admitLookup(lookups, request, reply, await guards.user(request));
      const { accountNo } = request.params;
      const account = (
        await db.query<{ account_no: string; city: string; holder_masked: string; address_masked: string }>(
          'SELECT * FROM electricity_accounts WHERE account_no = $1',
          [accountNo],
        )
      ).rows[0];
      charge(account ? 'hit' : 'miss');
      if (!account) return { account: null, items: [] };
      const { rows } = await db.query<{
        id: string;
        period: string;
        kwh: string;
        amount: string;
        due_date: string;
        status: string;
        paid_at: Date | null;
      }>(
        `SELECT id, period, kwh, amount, due_date::text AS due_date, status, paid_at
         FROM electricity_bills WHERE account_no = $1 ORDER BY period DESC`,
        [accountNo],
      );
      return {
        account: {
          accountNo: account.account_no,
          city: account.city,
          holder: account.holder_masked,
          address: account.address_masked,
        },
        items: rows.map((b) => ({
          id: b.id,
          period: b.period,
          kwh: Number(b.kwh),
          amount: money(b.amount),
          currency: 'CNY' as const,
          dueDate: b.due_date,
          status: b.status,
          ...(b.paid_at ? { paidAt: b.paid_at.toISOString() } : {}),
        })),
      };
    },
  );

  app.get(
    '/v1/fines',
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
        location: string;
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
          location: f.location,
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
