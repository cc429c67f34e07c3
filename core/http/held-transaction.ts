// A transaction kept open after its work is done, so one last write that depends on the work's
// result (the stored response of an Idempotency-Key, known only once the reply is serialised)
// commits together with it: one transaction, one WAL flush. Built on Db.transaction, so it works
// the same on PostgreSQL and PGlite.
import type { Db, Transaction } from '../db/types.ts';

export interface HeldTransaction {
  /**
   * Runs `last` in the transaction; commits when it returns true, rolls back when it returns
   * false. Resolves to that answer once the transaction has ended; rejects (rolled back) when
   * `last` or the commit fails. `last` may end the transaction itself with tx.queryAndCommit
   * (its write and the commit in one round trip) and then return whether that committed.
   */
  finish(last: (tx: Transaction) => Promise<boolean>): Promise<boolean>;
  /** Ends the transaction without committing; safe to call more than once, or after finish. */
  rollback(): Promise<void>;
}

/** Thrown inside the transaction callback to end it with a rollback. */
class Rollback extends Error {}

/**
 * Carries an error raised after the result was handed over: Db.transaction retries serialisation
 * failures by running the callback again, which must not happen once a caller holds the result.
 */
class AfterHandOver extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super('held transaction failed after hand-over');
    this.original = original;
  }
}

/**
 * Runs `work` in a transaction and resolves with its result while the transaction is still open.
 * Failures of `work` itself (including retried serialisation failures) reject as Db.transaction
 * does, with everything rolled back. The caller must end the transaction: finish() or rollback().
 */
export function holdTransaction<T>(
  db: Db,
  work: (tx: Transaction) => Promise<T>,
): Promise<{ value: T; held: HeldTransaction }> {
  let handedOver = false;
  let decide!: (last: ((tx: Transaction) => Promise<boolean>) | null) => void;
  const decision = new Promise<((tx: Transaction) => Promise<boolean>) | null>((r) => (decide = r));
  let committed = false;

  return new Promise((resolve, reject) => {
    const ended = db
      .transaction(async (tx) => {
        if (handedOver) throw new AfterHandOver(new Error('transaction retried after its result was used'));
        const value = await work(tx);
        handedOver = true;
        resolve({ value, held });
        const last = await decision;
        if (!last) throw new Rollback();
        let keep: boolean;
        try {
          keep = await last(tx);
        } catch (err) {
          throw new AfterHandOver(err);
        }
        if (!keep) throw new Rollback();
        committed = true;
      })
      .then(
        () => committed,
        (err: unknown) => {
          if (!handedOver) {
            reject(err instanceof Error ? err : new Error(String(err)));
            return false;
          }
          if (err instanceof Rollback) return false;
          throw err instanceof AfterHandOver ? err.original : err;
        },
      );
    const held: HeldTransaction = {
      finish(last) {
        decide(last);
        return ended;
      },
      rollback() {
        decide(null);
        return ended.then(
          () => undefined,
          () => undefined,
        );
      },
    };
  });
}
