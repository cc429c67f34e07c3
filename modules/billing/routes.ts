// Electricity bills per account (traffic fines are in modules/fines). Looked up by what the payer
// knows; they cannot be listed wholesale.
import { z } from 'zod';
import { admitLookup } from '../../core/http/index.ts';
import type { ApiDeps } from '../../core/module/deps.ts';
import { money } from '../../core/module/common.ts';
import { billList } from './schemas.ts';

const security = [{ bearerAuth: [] }];

export function registerBillingRoutes({ app, db, guards, lookups }: ApiDeps): void {
  app.get(
    '/utilities/electricity/accounts/:accountNo/bills',
    {
      schema: {
        tags: ['bills'],
        security,
        summary: 'Bills of an electricity account (newest first)',
        params: z.object({
          accountNo: z.string().regex(/^[0-9]{10,16}$/, { error: 'expected a 10-16 digit account number' }),
        }),
        response: { 200: billList },
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
}
