// Cursors: where a client is in a channel. A channel can be fed by several topics and partitions
// (e.g. `camera:{id}` by camera.snapshots.v1 and camera.status.v1), and `pos` is only ordered
// within one partition, so a cursor is a vector: the last offset seen per topic partition,
// written `topic/partition:offset,topic/partition:offset`. Offsets are equal on every gateway,
// which is what lets a client resume on any of them.

/** `topic/partition` → last offset seen (-1: none yet). */
export type Cursor = Map<string, number>;

export const tpKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export function formatCursor(cursor: Cursor): string {
  // A plain loop: SSE formats one of these per event per connection.
  let out = '';
  for (const [tp, offset] of cursor) out += out === '' ? `${tp}:${offset}` : `,${tp}:${offset}`;
  return out;
}

const ENTRY = /^(?:([A-Za-z0-9._-]{1,200})\/)?(\d{1,9}):(-1|\d{1,16})$/;

/**
 * Parses a cursor. Entries without a topic (`3:10452`, the form of a single `pos`) get
 * `defaultTopic`; when there is none they are an error. Returns null when malformed.
 */
export function parseCursor(text: string, defaultTopic?: string): Cursor | null {
  const cursor: Cursor = new Map();
  if (text.trim() === '') return null;
  for (const item of text.split(',')) {
    const m = ENTRY.exec(item.trim());
    if (!m) return null;
    const topic = m[1] ?? defaultTopic;
    if (topic === undefined) return null;
    const offset = Number(m[3]);
    if (!Number.isSafeInteger(offset)) return null;
    const key = tpKey(topic, Number(m[2]));
    cursor.set(key, Math.max(offset, cursor.get(key) ?? offset));
  }
  return cursor;
}

/** Moves `cursor` forward to `pos` in `topic` (never backwards). */
export function advance(cursor: Cursor, topic: string, pos: string): void {
  const i = pos.indexOf(':');
  if (i <= 0) return;
  const key = tpKey(topic, Number(pos.slice(0, i)));
  const offset = Number(pos.slice(i + 1));
  const have = cursor.get(key);
  if (have === undefined || offset > have) cursor.set(key, offset);
}

/** Element-wise maximum of two cursors, into `into`. */
export function mergeCursor(into: Cursor, other: Cursor): void {
  for (const [k, v] of other) {
    const have = into.get(k);
    if (have === undefined || v > have) into.set(k, v);
  }
}
