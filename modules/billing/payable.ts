// Electricity bills as payments see them: anyone may settle an unpaid bill; a refund makes it due again.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';

export const billPayable: Payable = {
  kind: 'electricity_bill',
  async quote(tx, targetId) {
    const { rows } = await tx.query<{ amount: string; status: string }>(
      'SELECT amount, status FROM electricity_bills WHERE id = $1',
      [targetId],
    );
    const b = rows[0];
    if (!b) throw new NotFound(`electricity bill ${targetId} not found`);
    if (b.status === 'paid') throw new Conflict(`electricity bill ${targetId} is already paid`);
    return { amount: b.amount, ownerId: null };
  },
  async markPaid(tx, targetId) {
    const sql = `UPDATE electricity_bills SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'unpaid'`;
    return (await tx.query(sql, [targetId])).rowCount === 1;
  },
  async release(tx, targetId) {
    await tx.query(`UPDATE electricity_bills SET status = 'unpaid', paid_at = NULL WHERE id = $1`, [
      targetId,
    ]);
  },
};
