// Time as the hub's rules see it (ticket holds, payment intents, retry waits). Production uses the
// system clock; tests pass a TestClock and advance it, instead of sleeping or rewriting created_at.

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class TestClock implements Clock {
  private ms: number;

  constructor(start: number | Date = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a test clock only moves forward (got ${ms} ms)`);
    this.ms += ms;
  }

  advanceSeconds(s: number): void {
    this.advance(s * 1000);
  }
}

/** The clock's time as a Date, for SQL parameters. */
export const dateOf = (clock: Clock): Date => new Date(clock.now());
