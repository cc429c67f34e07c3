// Every consumer group on a topic fetches and decodes every record: in an ingest process the sink
// and the AQI processor each JSON-parse and validate every reading. Within one process, the
// first consumer to decode a record leaves the result here for the others of this bus that read
// the topic, and each of them takes it once. The embedded bus shares its events between
// consumers the same way, so handlers already treat a delivery's event as read-only.
// Bounded: an entry nobody takes (a group far behind, or one whose partition is served by another
// process) is dropped oldest first past `max`. Entries are keyed by the record's timestamp as well
// as its offset, so a topic deleted and created again, whose offsets start over, is not served
// an old record; no fetched bytes are kept.
import type { Decoded } from './records.ts';

interface Entry {
  decoded: Decoded;
  /** Readers still to take it. */
  left: number;
}

export class DecodeShare {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  /**
   * The record decoded: taken from another reader's decode when one was left, else from
   * `decode`, then left for the `readers - 1` others.
   */
  decode(key: string, readers: number, decode: () => Decoded): Decoded {
    const entry = this.entries.get(key);
    if (entry) {
      if (--entry.left <= 0) this.entries.delete(key);
      return entry.decoded;
    }
    const decoded = decode();
    if (readers > 1) {
      this.entries.set(key, { decoded, left: readers - 1 });
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return decoded;
  }

  get size(): number {
    return this.entries.size;
  }
}
