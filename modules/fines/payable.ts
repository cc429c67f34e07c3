// Traffic fines as payments see them: whoever shows the plate and the engine number's last six
// characters may settle an unpaid fine; a refund (an appeal won) makes it due again.
import type { Payable } from '../../core/domain/payable.ts';
import { Conflict, NotFound } from '../../core/errors.ts';
import { normalisePlate } from './routes.ts';

export const finePayable: Payable = {
  kind: 'traffic_fine',
  async quote(tx, targetId, _payer, proof) {
    const { rows } = await tx.query<{ amount: string; status: string; plate: string; engine_no: string }>(
      'SELECT amount, status, plate, engine_no FROM traffic_fines WHERE id = $1',
      [targetId],
    );
    const f = rows[0];
    const proven =
      f !== undefined &&
      proof.plate !== undefined &&
      proof.engineNoSuffix !== undefined &&
      normalisePlate(proof.plate) === f.plate &&
      f.engine_no.slice(-6).toUpperCase() === proof.engineNoSuffix.toUpperCase();
    if (!proven) throw new NotFound(`traffic_fine ${targetId} not found`);
    if (f.status === 'paid') throw new Conflict(`traffic fine ${targetId} is already paid`);
    return { amount: f.amount };
  },
  async markPaid(tx, targetId) {
    const sql = `UPDATE traffic_fines SET status = 'paid', paid_at = now() WHERE id = $1 AND status = 'unpaid'`;
    return (await tx.query(sql, [targetId])).rowCount === 1;
  },
  async release(tx, targetId) {
    await tx.query(`UPDATE traffic_fines SET status = 'unpaid', paid_at = NULL WHERE id = $1`, [targetId]);
  },
};
