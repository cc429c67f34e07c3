// The global cap on concurrent ffmpeg processes of this worker. Cameras past the cap wait, in
// arrival order, for a slot; a camera that is stopped while waiting gives up its place.
export class ProcessLimiter {
  private used = 0;
  private readonly waiting: { grant: () => void; signal: AbortSignal }[] = [];

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get active(): number {
    return this.used;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves true with a slot, or false when `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.used < this.limit) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const entry = {
        signal,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.used--;
  }
}
