// Reads a push body as it arrives, one item at a time, never holding more than one item's bytes:
// lines (NDJSON, line protocol) or the elements of a top-level JSON array. An item longer than
// the per-item cap is reported as such and skipped without being buffered.
//
// Scanning is on bytes: newline, quote, backslash, brackets, braces and comma are ASCII and never
// occur inside a multi-byte UTF-8 sequence, so splitting there never cuts a character.

export type Piece = { n: number; text: string } | { n: number; tooLong: true };

const NL = 0x0a;

/**
 * The bytes of the item being read, up to `maxBytes`: past that only the fact that it was too long
 * is kept. Callers copy a tail that must outlive its chunk, so a held item never pins a chunk.
 */
class ItemBytes {
  private parts: Buffer[] = [];
  private size = 0;
  private tooLong = false;
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get empty(): boolean {
    return this.size === 0 && !this.tooLong;
  }

  keep(b: Buffer): void {
    if (this.tooLong || b.length === 0) return;
    this.size += b.length;
    if (this.size > this.maxBytes) {
      this.tooLong = true;
      this.parts = [];
    } else this.parts.push(b);
  }

  /** The item as piece `n`, and a fresh start for the next one. */
  take(n: number): Piece {
    const { parts } = this;
    const piece: Piece = this.tooLong
      ? { n, tooLong: true }
      : { n, text: (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8') };
    this.parts = [];
    this.size = 0;
    this.tooLong = false;
    return piece;
  }
}

/** Lines of the body, numbered from 1; `\r\n` endings lose their `\r`. */
export async function* readLines(body: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Piece> {
  const item = new ItemBytes(maxBytes);
  let n = 0;
  const take = (): Piece => {
    const piece = item.take(++n);
    if ('text' in piece && piece.text.endsWith('\r')) piece.text = piece.text.slice(0, -1);
    return piece;
  };
  for await (const chunk of body) {
    let from = 0;
    for (let nl = chunk.indexOf(NL, from); nl !== -1; nl = chunk.indexOf(NL, from)) {
      item.keep(chunk.subarray(from, nl));
      yield take();
      from = nl + 1;
    }
    if (from < chunk.length) item.keep(Buffer.from(chunk.subarray(from)));
  }
  if (!item.empty) yield take();
}

export class JsonBodyError extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The items of a JSON body: each element of a top-level array (numbered from 0), or the whole
 * body as item 0 when it is not an array. Each item's text still has to be parsed; the structure
 * around the items is checked here, and a broken one throws JsonBodyError.
 */
export async function* readJsonItems(body: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Piece> {
  type State = 'start' | 'single' | 'before-item' | 'item' | 'end';
  let state = 'start' as State;
  const item = new ItemBytes(maxBytes);
  let n = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let sawComma = false;
  const take = (): Piece => item.take(n++);

  for await (const chunk of body) {
    let from = 0; // start of the current item's bytes within this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (state) {
        case 'start':
          if (WS.has(c)) continue;
          if (c === OPEN_ARRAY) state = 'before-item';
          else {
            state = 'single';
            from = i;
          }
          continue;
        case 'single':
          continue; // the whole rest of the body is the one item
        case 'before-item':
          if (WS.has(c)) continue;
          if (c === CLOSE_ARRAY && !sawComma) {
            state = 'end';
            continue;
          }
          if (c === COMMA || c === CLOSE_ARRAY)
            throw new JsonBodyError(`unexpected "${String.fromCharCode(c)}"`);
          state = 'item';
          from = i;
          depth = 0;
          inString = false;
          escaped = false;
          i--; // judge this byte as part of the item
          continue;
        case 'item':
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) inString = false;
            continue;
          }
          if (c === QUOTE) inString = true;
          else if (OPEN.has(c)) depth++;
          else if (CLOSE.has(c) && depth > 0) depth--;
          else if (depth === 0 && (c === COMMA || c === CLOSE_ARRAY)) {
            item.keep(chunk.subarray(from, i));
            yield take();
            if (c === COMMA) {
              state = 'before-item';
              sawComma = true;
            } else state = 'end';
          }
          continue;
        case 'end':
          if (!WS.has(c)) throw new JsonBodyError('unexpected text after the closing "]"');
          continue;
      }
    }
    if (state === 'item' || state === 'single') item.keep(Buffer.from(chunk.subarray(from)));
  }
  if (state === 'single') yield take();
  else if (state === 'item' || state === 'before-item') throw new JsonBodyError('the array is not closed');
}
