// kafkajs 2.2.4, its latest release, keeps a 1 ms timer running on every broker connection once
// that connection has had a response: RequestQueue.scheduleCheckPendingRequests arms a check even
// when no request waits and no throttle is on. `throttledUntil` is then -1, the delay negative,
// Node runs it after 1 ms, the check arms the next one, for as long as the connection lives (and
// Node 24 prints a TimeoutNegativeWarning for it). Upstream: tulios/kafkajs#1556, #1704, #1751,
// all open. An idle ingest hub spent ~4-6 % of a core on it, every hub and test process with
// Kafka the same.
//
// The replacement arms a timer only when it has something to do: a waiting request (check again
// after the throttle, else after kafkajs's 10 ms) or a throttle to outlast. With nothing waiting
// the queue needs no timer: a request that cannot go at once is pushed, which schedules a check,
// and every response or timeout checks the queue again.
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);
export const REQUEST_QUEUE_MODULE = 'kafkajs/src/network/requestQueue/index.js';
/** kafkajs's own re-check interval while requests wait for a free in-flight slot. */
const CHECK_PENDING_MS = 10;
/** The flawed line of 2.2.4: another version's method is left alone, not patched blind. */
const FLAWED = 'let scheduleAt = this.throttledUntil - Date.now()';

let fixed: boolean | undefined;

function scheduleWhenNeeded(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0) delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_MS;
  else if (untilUnthrottled > 0) delay = untilUnthrottled;
  else return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/**
 * Replaces kafkajs's RequestQueue.scheduleCheckPendingRequests once per process. True when the
 * installed kafkajs has the flaw and now runs the replacement; false when its method differs
 * from the one read here (a fixed release: nothing to do, and the unit test says so).
 */
export function fixKafkajsIdleTimer(): boolean {
  if (fixed !== undefined) return fixed;
  const { prototype } = require(REQUEST_QUEUE_MODULE) as { prototype: RequestQueueInternals };
  fixed = prototype.scheduleCheckPendingRequests.toString().includes(FLAWED);
  if (fixed) prototype.scheduleCheckPendingRequests = scheduleWhenNeeded;
  return fixed;
}
