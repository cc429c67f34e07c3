// Appointments as payments see them: the fee of a booked, unpaid appointment, payable by its patient.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';

export const appointmentPayable: Payable = {
  kind: 'appointment',
  bookingKind: 'appointment',
  async quote(tx, targetId, payer) {
    const { rows } = await tx.query<{ fee: string; user_id: string; status: string; paid: boolean }>(
      'SELECT fee, user_id, status, paid FROM appointments WHERE id = $1',
      [targetId],
    );
    const a = rows[0];
    if (!a || a.user_id !== payer) throw new NotFound(`appointment ${targetId} not found`);
    if (a.status !== 'booked') throw new Conflict(`appointment ${targetId} is ${a.status}`);
    if (a.paid) throw new Conflict(`appointment ${targetId} is already paid`);
    return { amount: a.fee };
  },
  async markPaid(tx, targetId) {
    const sql = `UPDATE appointments SET paid = true WHERE id = $1 AND status = 'booked' AND NOT paid`;
    return (await tx.query(sql, [targetId])).rowCount === 1;
  },
};
