// Tickets as payments see them: the amount of a seat hold that has not ended, payable by its holder.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';

export const ticketPayable: Payable = {
  kind: 'ticket',
  bookingKind: 'ticket',
  async quote(tx, targetId, payer, _proof, at) {
    const { rows } = await tx.query<{ amount: string; user_id: string; status: string; expired: boolean }>(
      'SELECT amount, user_id, status, hold_expires_at < $2 AS expired FROM tickets WHERE id = $1',
      [targetId, at],
    );
    const t = rows[0];
    if (!t || t.user_id !== payer) throw new NotFound(`ticket ${targetId} not found`);
    if (t.status === 'paid') throw new Conflict(`ticket ${targetId} is already paid`);
    if (t.status !== 'held' || t.expired)
      throw new Conflict(`ticket ${targetId} hold has ended (${t.status})`);
    return { amount: t.amount };
  },
  async markPaid(tx, targetId, at) {
    const sql = `UPDATE tickets SET status = 'paid', hold_expires_at = NULL, updated_at = now()
             WHERE id = $1 AND status = 'held' AND hold_expires_at >= $2`;
    return (await tx.query(sql, [targetId, at])).rowCount === 1;
  },
};
