// When did a camera's last snapshot arrive, and is it overdue? A camera that says `online` but
// sends no snapshot for longer than its interval allows is shown "stale": the worker's status
// only changes after its stall window (several intervals), and the person looking at the tile
// should not be told a frozen picture is live meanwhile.

/** Snapshots come one per interval, in bursts of a segment for HLS sources; allow that much. */
export function staleAfterMs(intervalSeconds: number): number {
  return Math.round(intervalSeconds * 1000 * 2 + 3_000);
}

export class Freshness {
  /** Arrival time (ms) of the newest snapshot, on this browser's clock; null: none yet. */
  last: number | null = null;
  private readonly staleAfter: number;

  constructor(intervalSeconds: number) {
    this.staleAfter = staleAfterMs(intervalSeconds);
  }

  /** A snapshot arrived (or the list said when the latest was taken). */
  seen(at: number): void {
    if (Number.isFinite(at) && (this.last === null || at > this.last)) this.last = at;
  }

  ageMs(now: number): number | null {
    return this.last === null ? null : Math.max(0, now - this.last);
  }

  isStale(now: number): boolean {
    return this.last !== null && now - this.last > this.staleAfter;
  }
}
