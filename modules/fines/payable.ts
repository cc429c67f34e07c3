// Traffic fines as payments see them: anyone may settle an unpaid fine; a refund (an appeal won)
// makes it due again.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';

export const finePayable: Payable = {
  kind: 'traffic_fine',
  async quote(tx, targetId) {
    const { rows } = await tx.query<{ amount: string; status: string }>(
      'SELECT amount, status FROM traffic_fines WHERE id = $1',
      [targetId],
    );
    const f = rows[0];
    if (!f) throw new NotFound(`traffic fine ${targetId} not found`);
    if (f.status === 'paid') throw new Conflict(`traffic fine ${targetId} is already paid`);
    return { amount: f.amount, ownerId: null };
  },
  async markPaid(tx, targetId) {
    const sql = `UPDATE traffic_fines SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'unpaid'`;
    return (await tx.query(sql, [targetId])).rowCount === 1;
  },
  async release(tx, targetId) {
    await tx.query(`UPDATE traffic_fines SET status = 'unpaid', paid_at = NULL WHERE id = $1`, [targetId]);
  },
};
