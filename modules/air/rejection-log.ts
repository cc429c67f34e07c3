// What a push request had refused, in bounded memory: how many items and individual problems in
// total, and the first few (lowest positions) in full. A body of 200 000 bad lines costs the
// same here as one of 21, and so does the reply built from it.
import type { Rejection } from './normalise.ts';

export interface ItemRejection extends Rejection {
  /** Position of the item in the request (0-based). */
  index: number;
  /** 1-based line of the body, for line-oriented formats (NDJSON, line protocol). */
  line?: number;
}

/** Reasons and field names come from the request; they are cut so one item cannot bloat a reply. */
const MAX_TEXT = 200;
const cut = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

export class RejectionLog {
  /** Items refused (an item with three bad fields counts once). */
  items = 0;
  /** Individual problems (one per bad field). */
  total = 0;
  private readonly kept: ItemRejection[] = [];

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Records every problem of one item; call once per refused item. */
  refuse(index: number, problems: readonly Rejection[], line?: number): void {
    this.items++;
    for (const p of problems) {
      this.total++;
      const last = this.kept[this.kept.length - 1];
      if (this.kept.length >= this.limit && last !== undefined && last.index <= index) continue;
      const entry: ItemRejection = { index, field: cut(p.field), reason: cut(p.reason) };
      if (line !== undefined) entry.line = line;
      // Items may be reported out of order (a parse error before the chunk around it is judged):
      // keep the lowest positions, in order.
      let at = this.kept.length;
      while (at > 0 && this.kept[at - 1]!.index > index) at--;
      this.kept.splice(at, 0, entry);
      if (this.kept.length > this.limit) this.kept.pop();
    }
  }

  /** The first `limit` problems by position. */
  get first(): readonly ItemRejection[] {
    return this.kept;
  }

  get omitted(): number {
    return this.total - this.kept.length;
  }
}
