// One read at a time, however many events ask for it. A read already under way may have been
// answered before what the latest caller learnt, so a call during a run queues exactly one more
// run, which every later caller shares; a failed run is the caller's to ignore (the next event
// asks again).

/** Wraps `run` so calls never overlap and never pile up (one running, at most one queued). */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    // A queued run starts only once this one has settled, so nothing else can be running here.
    running = run()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };
  return () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running.then(() => {
      queued = null;
      return start();
    });
    return queued;
  };
}
