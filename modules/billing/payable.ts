// Electricity bills as payments see them: whoever shows the account number may settle an unpaid
// bill; a refund makes it due again.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';

export const billPayable: Payable = {
  kind: 'electricity_bill',
  async quote(tx, targetId, _payer, proof) {
    const { rows } = await tx.query<{ amount: string; status: string; account_no: string }>(
      'SELECT amount, status, account_no FROM electricity_bills WHERE id = $1',
      [targetId],
    );
    const b = rows[0];
    if (!b || b.account_no !== proof.accountNo) throw new NotFound(`electricity_bill ${targetId} not found`);
    if (b.status === 'paid') throw new Conflict(`electricity bill ${targetId} is already paid`);
    return { amount: b.amount };
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
