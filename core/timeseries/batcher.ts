// Gathers concurrent writes into batches, sends them with retry and backoff, and resolves each
// caller only when its points are acknowledged. The buffer is bounded: past `maxBuffered` points
// a new write waits for room instead of growing memory while the store is down. A write the store
// refuses (WriteRefusedError) is not retried.
import { backoffDelay, sleep } from '../retry.ts';
import { WriteRefusedError } from './refused.ts';
import type { Point } from './types.ts';

export interface BatcherOptions {
  /** Points per request. */
  batchSize: number;
  /** How long a partial batch waits for company before it is sent. */
  lingerMs: number;
  /** Points queued or in flight before `write` waits. */
  maxBuffered: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** A write that is not acknowledged within this time rejects (the caller retries or fails). */
  writeTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = {
  batchSize: 5_000,
  lingerMs: 5,
  maxBuffered: 100_000,
  concurrency: 2,
  // Below the Kafka session timeout (10 s): a consumer waiting on a write must get back to
  // its retry loop, which heartbeats, before the group gives its partitions away.
  writeTimeoutMs: 5_000,
  retryBaseMs: 100,
  retryMaxMs: 2_000,
};

interface Pending {
  points: Point[];
  deadline: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Batches still carrying some of these points. */
  parts: number;
  failed: boolean;
}

export class Batcher {
  private queue: { pending: Pending; points: Point[] }[] = [];
  private queued = 0;
  private buffered = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private roomWaiters: (() => void)[] = [];
  private closed = false;
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];

  private readonly send: (points: Point[]) => Promise<void>;
  private readonly options: BatcherOptions;

  constructor(send: (points: Point[]) => Promise<void>, options: BatcherOptions = DEFAULT_BATCHER_OPTIONS) {
    this.send = send;
    this.options = options;
  }

  async write(points: Point[]): Promise<void> {
    if (this.closed) throw new Error('time-series store is closed');
    if (points.length === 0) return;
    while (this.buffered > 0 && this.buffered + points.length > this.options.maxBuffered) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
      if (this.closed) throw new Error('time-series store is closed');
    }
    this.buffered += points.length;
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        points,
        deadline: Date.now() + this.options.writeTimeoutMs,
        resolve,
        reject,
        parts: 0,
        failed: false,
      };
      for (let i = 0; i < points.length; i += this.options.batchSize) {
        this.queue.push({ pending, points: points.slice(i, i + this.options.batchSize) });
        pending.parts++;
      }
      this.queued += points.length;
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.inFlight < this.options.concurrency && this.queued >= this.options.batchSize) this.dispatch();
    if (this.queued > 0 && this.inFlight < this.options.concurrency && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.queued > 0 && this.inFlight < this.options.concurrency) this.dispatch();
        this.schedule();
      }, this.options.lingerMs);
    }
  }

  private dispatch(): void {
    const batch: { pending: Pending; points: Point[] }[] = [];
    let n = 0;
    while (this.queue.length > 0 && n + this.queue[0]!.points.length <= this.options.batchSize) {
      const part = this.queue.shift()!;
      batch.push(part);
      n += part.points.length;
    }
    if (batch.length === 0) return;
    this.queued -= n;
    this.inFlight++;
    void this.sendWithRetry(batch, n).finally(() => {
      this.inFlight--;
      this.buffered -= n;
      for (const w of this.roomWaiters.splice(0)) w();
      this.schedule();
      if (this.inFlight === 0 && this.queued === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private async sendWithRetry(batch: { pending: Pending; points: Point[] }[], _n: number): Promise<void> {
    const points = batch.flatMap((b) => b.points);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(points);
        for (const { pending } of batch) if (--pending.parts === 0 && !pending.failed) pending.resolve();
        return;
      } catch (err) {
        if (err instanceof WriteRefusedError) {
          // Refused now, refused on every retry: every caller in the batch hears it at once and
          // narrows it down to its own points at fault.
          for (const b of batch) {
            if (!b.pending.failed) {
              b.pending.failed = true;
              b.pending.reject(err);
            }
          }
          return;
        }
        const now = Date.now();
        // Callers past their deadline get the error now; the batch keeps going for the others.
        for (const b of batch) {
          if (!b.pending.failed && b.pending.deadline <= now) {
            b.pending.failed = true;
            b.pending.reject(err);
          }
        }
        if (this.abort.signal.aborted || batch.every((b) => b.pending.failed)) return;
        this.options.onRetry?.(err, attempt + 1);
        await sleep(
          backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs),
          this.abort.signal,
        );
      }
    }
  }

  /** Sends what is queued and waits for it (at most `writeTimeoutMs`), then refuses new writes. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.queued > 0 && this.inFlight < this.options.concurrency) this.dispatch();
    this.closed = true;
    if (this.inFlight > 0 || this.queued > 0) {
      const idle = new Promise<void>((r) => this.idleWaiters.push(r));
      const limit = sleep(this.options.writeTimeoutMs);
      await Promise.race([idle, limit]);
    }
    this.abort.abort();
    for (const { pending } of this.queue.splice(0)) {
      if (!pending.failed) {
        pending.failed = true;
        pending.reject(new Error('time-series store closed before the write was acknowledged'));
      }
    }
    for (const w of this.roomWaiters.splice(0)) w();
  }
}
