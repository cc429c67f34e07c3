// The outbox relay: publishes committed outbox rows to their topics in id order, then marks them
// sent, all inside one transaction holding an advisory lock (one relay at a time keeps per-key
// order across processes). If the process dies before publishing, the rows stay unsent and the
// next relay publishes them; if it dies after publishing but before the mark commits, they are
// published again with the same CloudEvent id, which consumers use to drop the repeat.
import type { Logger } from 'pino';
import type { Bus, PublishRecord } from '../bus/types.ts';
import { prepared, type Db } from '../db/types.ts';
import type { CloudEvent } from '../events/envelope.ts';
import { backoffDelay, sleep } from '../retry.ts';
import type { OutboxMetrics } from './metrics.ts';

const RELAY_LOCK = 0x6f757462; // "outb"
const COALESCE_MS = 10;
const LOCK = prepared(
  "SELECT pg_try_advisory_xact_lock($1) AS ok, set_config('synchronous_commit', 'off', true) AS async_commit",
);
const UNSENT = prepared(
  'SELECT id, topic, key, event FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
);
const MARK_SENT = prepared('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])');

export interface RelayOptions {
  db: Db;
  bus: Pick<Bus, 'publish'>;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  metrics?: Pick<OutboxMetrics, 'published'>;
}

interface OutboxRow {
  id: number;
  topic: string;
  key: string;
  event: CloudEvent;
}

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pending = false;
  private readonly abort = new AbortController();

  private readonly options: RelayOptions;

  constructor(options: RelayOptions) {
    this.options = options;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit that wrote outbox rows: publish now instead of at the next poll. */
  nudge(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Finishes the batch in hand; what is left stays in the outbox for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  /** Publishes up to one batch; returns how many rows it sent (0 when another relay holds the lock). */
  async drainOnce(): Promise<number> {
    const { db, bus, batchSize = 200 } = this.options;
    return db.transaction(async (tx) => {
      // Marking rows sent need not wait for the disk: a mark lost in a crash only means the
      // events are published again with the same ids, which at-least-once already allows. The
      // setting rides on the lock's round trip (it runs under load, about once per 10 ms).
      const lock = await tx.query<{ ok: boolean }>(LOCK, [RELAY_LOCK]);
      if (!lock.rows[0]?.ok) return 0;
      const { rows } = await tx.query<OutboxRow>(UNSENT, [batchSize]);
      if (rows.length === 0) return 0;
      // Consecutive rows of one topic go in one publish; topic runs keep the overall id order.
      let run: { topic: string; records: PublishRecord[] } | null = null;
      for (const r of rows) {
        if (run && run.topic !== r.topic) {
          await bus.publish(run.topic, run.records);
          run = null;
        }
        run ??= { topic: r.topic, records: [] };
        run.records.push({ key: r.key, event: r.event });
      }
      if (run) await bus.publish(run.topic, run.records);
      // The mark and COMMIT in one round trip.
      await tx.queryAndCommit(MARK_SENT, [rows.map((r) => r.id)]);
      for (const r of rows) this.options.metrics?.published.inc({ topic: r.topic });
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pending = false;
      try {
        const sent = await this.drainOnce();
        failures = 0;
        if (sent > 0) {
          // Under load, commits keep arriving: a short pause lets the next batch gather instead
          // of one relay transaction per request.
          if (sent < (this.options.batchSize ?? 200)) await sleep(COALESCE_MS, this.abort.signal);
          continue;
        }
      } catch (err) {
        failures++;
        this.options.logger.warn({ err, failures }, 'outbox relay could not publish; will retry');
        await sleep(backoffDelay(failures, 200, 10_000), this.abort.signal);
        continue;
      }
      if (!this.pending && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
