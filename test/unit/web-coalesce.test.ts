// The dashboard's re-reads (a live event naming a camera the page does not list yet) go through
// coalesced(): however many events ask while a read is under way, one more read follows it, not one each.
import { describe, expect, it } from 'vitest';
import { coalesced } from '../../web/src/coalesce.ts';

/** A run that waits until the test lets it finish. */
function gatedRuns() {
  const gates: (() => void)[] = [];
  let started = 0;
  const run = () => {
    started++;
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return {
    run,
    get started() {
      return started;
    },
    finishNext: () => gates.shift()!(),
  };
}

describe('coalesced', () => {
  it('runs once more after the current run, however many calls came during it', async () => {
    const runs = gatedRuns();
    const reread = coalesced(runs.run);
    const first = reread();
    const during = [reread(), reread(), reread()];
    expect(runs.started).toBe(1);
    expect(during[1]).toBe(during[0]);
    runs.finishNext();
    await first;
    await Promise.resolve();
    expect(runs.started).toBe(2);
    runs.finishNext();
    await Promise.all(during);
    expect(runs.started).toBe(2);
    // Idle again: the next call starts a run of its own.
    const later = reread();
    expect(runs.started).toBe(3);
    runs.finishNext();
    await later;
  });

  it('resolves when a run fails, and the next call runs again', async () => {
    let calls = 0;
    const reread = coalesced(async () => {
      calls++;
      throw new Error('network down');
    });
    await expect(reread()).resolves.toBeUndefined();
    await expect(reread()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
