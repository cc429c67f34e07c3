// Reads a push body as it arrives, one item at a time, never holding more than one item's bytes:
// lines (NDJSON, line protocol) or the elements of a top-level JSON array. An item longer than
// the per-item cap is reported as such and skipped without being buffered.
//
// Scanning is on bytes: newline, quote, backslash, brackets, braces and comma are ASCII and never
// occur inside a multi-byte UTF-8 sequence, so splitting there never cuts a character.

export type Piece = { n: number; text: string } | { n: number; tooLong: true };

const NL = 0x0a;

/** Lines of the body, numbered from 1; `\r\n` endings lose their `\r`. */
export async function* readLines(body: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Piece> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let n = 0;
  const take = (): Piece => {
    n++;
    const piece: Piece = tooLong ? { n, tooLong: true } : { n, text: lineText(parts) };
    parts = [];
    size = 0;
    tooLong = false;
    return piece;
  };
  const keep = (b: Buffer) => {
    if (tooLong || b.length === 0) return;
    size += b.length;
    if (size > maxBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(b);
  };
  for await (const chunk of body) {
    let from = 0;
    for (let nl = chunk.indexOf(NL, from); nl !== -1; nl = chunk.indexOf(NL, from)) {
      keep(chunk.subarray(from, nl));
      yield take();
      from = nl + 1;
    }
    // Copied, so a held tail does not pin the whole chunk.
    if (from < chunk.length) keep(Buffer.from(chunk.subarray(from)));
  }
  if (size > 0 || tooLong) yield take();
}

function lineText(parts: Buffer[]): string {
  const s = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8');
  return s.endsWith('\r') ? s.slice(0, -1) : s;
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
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let n = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let sawComma = false;
  const keep = (b: Buffer) => {
    if (tooLong || b.length === 0) return;
    size += b.length;
    if (size > maxBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(Buffer.from(b));
  };
  const take = (): Piece => {
    const piece: Piece = tooLong
      ? { n, tooLong: true }
      : { n, text: (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8') };
    n++;
    parts = [];
    size = 0;
    tooLong = false;
    return piece;
  };

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
            keep(chunk.subarray(from, i));
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
    if (state === 'item' || state === 'single') keep(chunk.subarray(from));
  }
  if (state === 'single') yield take();
  else if (state === 'item' || state === 'before-item') throw new JsonBodyError('the array is not closed');
}
