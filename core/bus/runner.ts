// One batch of one partition, the same way on both adapters: decode, dead-letter what cannot be
// used, hand the rest to the handler and retry it until it succeeds or the consumer stops.
// Nothing is skipped on failure, so a sink that commits after this returns loses nothing. What
// the handler refuses (batch.refuse: a valid record it can never process) is dead-lettered with
// the reason before the commit, so one poison record cannot hold its partition forever.
import type { Logger } from 'pino';
import type { CloudEvent } from '../events/envelope.ts';
import type { TopicSpec } from '../events/catalog.ts';
import type { BusMetrics } from '../observability/metrics.ts';
import { backoffDelay, sleep } from '../retry.ts';
import { decodeRecord, deadLetterFor, refusedDeadLetter, type Unusable } from './records.ts';
import type { Batch, Delivery, PublishRecord } from './types.ts';

export interface FetchedRecord {
  offset: string;
  key: string | null;
  value: Buffer | null;
  timestamp: number;
  headers: Record<string, string>;
  /** Set when the adapter already holds the validated event (embedded bus). */
  event?: CloudEvent | null;
}

export interface BatchContext {
  spec: TopicSpec;
  partition: number;
  groupId: string;
  handler: (batch: Batch) => Promise<void>;
  /** null: skip invalid records with a warning instead of dead-lettering them. */
  publishDeadLetters: ((records: PublishRecord[]) => Promise<void>) | null;
  metrics: BusMetrics;
  logger: Logger;
  /** Aborted when the consumer stops or loses the partition. */
  signal: AbortSignal;
  /** Keeps group membership alive while a failing handler is retried. */
  keepAlive?: () => Promise<void>;
}

/** Returns true when the batch is done (commit past it), false when the consumer stopped first. */
export async function processBatch(
  ctx: BatchContext,
  records: FetchedRecord[],
  lag: number,
): Promise<boolean> {
  const topic = ctx.spec.name;
  const deliveries: Delivery[] = [];
  const unusable: Unusable[] = [];
  for (const r of records) {
    const decoded =
      r.event !== undefined ? ({ ok: true, event: r.event } as const) : decodeRecord(ctx.spec, r.value);
    if (decoded.ok) {
      deliveries.push({
        topic,
        partition: ctx.partition,
        offset: r.offset,
        pos: `${ctx.partition}:${r.offset}`,
        key: r.key,
        event: decoded.event,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      });
    } else {
      unusable.push({
        topic,
        partition: ctx.partition,
        offset: r.offset,
        key: r.key,
        value: r.value,
        ...decoded,
      });
    }
  }

  if (unusable.length > 0) {
    const publish = ctx.publishDeadLetters;
    if (publish) {
      const letters = unusable.map((u) => deadLetterFor(u, ctx.groupId));
      if (!(await retryUntilDone(ctx, 'dead-letter publish', () => publish(letters)))) return false;
      ctx.metrics.deadLettered.inc({ topic }, unusable.length);
    }
    for (const u of unusable) {
      ctx.logger.warn(
        { topic, partition: u.partition, offset: u.offset, reason: u.reason, deadLettered: publish !== null },
        publish ? 'invalid record sent to the dead-letter topic' : 'invalid record skipped',
      );
    }
  }
  if (deliveries.length === 0) return true;

  // Refusals count only from the attempt that succeeded: a failed attempt is redone in full.
  let refused = new Map<Delivery, string>();
  const done = await retryUntilDone(ctx, 'handler', () => {
    refused = new Map();
    const attempt = refused;
    return ctx.handler({
      topic,
      partition: ctx.partition,
      deliveries,
      lag,
      refuse: (delivery, reason) => void attempt.set(delivery, reason),
    });
  });
  if (!done) return false;
  if (refused.size > 0 && !(await deadLetterRefused(ctx, refused))) return false;
  ctx.metrics.consumed.inc({ topic, group: ctx.groupId }, deliveries.length);
  ctx.metrics.lag.set({ topic, group: ctx.groupId }, lag);
  return true;
}

async function deadLetterRefused(ctx: BatchContext, refused: Map<Delivery, string>): Promise<boolean> {
  const topic = ctx.spec.name;
  const publish = ctx.publishDeadLetters;
  if (publish) {
    const letters = [...refused].map(([d, reason]) => refusedDeadLetter(d, reason, ctx.groupId));
    if (!(await retryUntilDone(ctx, 'dead-letter publish', () => publish(letters)))) return false;
    ctx.metrics.deadLettered.inc({ topic }, refused.size);
  }
  for (const [d, reason] of refused) {
    ctx.logger.warn(
      { topic, partition: d.partition, offset: d.offset, key: d.key, reason, deadLettered: publish !== null },
      publish ? 'refused record sent to the dead-letter topic' : 'refused record skipped',
    );
  }
  return true;
}

async function retryUntilDone(ctx: BatchContext, what: string, fn: () => Promise<void>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) return false;
    try {
      await fn();
      return true;
    } catch (err) {
      if (ctx.signal.aborted) return false;
      ctx.metrics.handlerRetries.inc({ group: ctx.groupId });
      const delay = backoffDelay(attempt, 100, 5_000);
      ctx.logger.warn(
        { err, topic: ctx.spec.name, partition: ctx.partition, attempt, retryInMs: delay },
        `${what} failed; retrying`,
      );
      // Sleep in short steps so group membership stays alive during a long outage.
      for (let left = delay; left > 0 && !ctx.signal.aborted; left -= 1_000) {
        await sleep(Math.min(1_000, left), ctx.signal);
        await ctx.keepAlive?.().catch(() => undefined);
      }
    }
  }
}
