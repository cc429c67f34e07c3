import { describe, expect, it } from 'vitest';
import { JsonBodyError, readJsonItems, readLines, type Piece } from './body-reader.ts';
import { RejectionLog } from './rejection-log.ts';

/** The body cut into chunks of `size` bytes, as a socket might deliver it. */
async function* chunked(body: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(body, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function all(pieces: AsyncIterable<Piece>): Promise<Piece[]> {
  const out: Piece[] = [];
  for await (const p of pieces) out.push(p);
  return out;
}

describe('readLines', () => {
  it('numbers lines across chunk boundaries, keeps UTF-8 intact and drops \\r', async () => {
    for (const size of [1, 3, 7, 1024]) {
      const lines = await all(readLines(chunked('a,b=1 x=1\r\nµg/m³ é\n\nlast', size), 64));
      expect(lines).toEqual([
        { n: 1, text: 'a,b=1 x=1' },
        { n: 2, text: 'µg/m³ é' },
        { n: 3, text: '' },
        { n: 4, text: 'last' },
      ]);
    }
  });

  it('reports an over-long line by number without keeping it, and goes on', async () => {
    const body = `short\n${'x'.repeat(5000)}\nnext\n`;
    expect(await all(readLines(chunked(body, 100), 1000))).toEqual([
      { n: 1, text: 'short' },
      { n: 2, tooLong: true },
      { n: 3, text: 'next' },
    ]);
  });
});

describe('readJsonItems', () => {
  const texts = async (body: string, size = 5): Promise<unknown[]> =>
    (await all(readJsonItems(chunked(body, size), 1000))).map((p): unknown =>
      'text' in p ? JSON.parse(p.text) : p,
    );

  it('yields each element of a top-level array, whatever its nesting and strings hold', async () => {
    const items = [{ a: 1, s: 'x,]}"[{' }, [1, [2, { b: '\\"' }]], 'str', 42, null, { u: 'µg/m³' }];
    for (const size of [1, 2, 5, 4096]) {
      expect(await texts(` [ ${items.map((i) => JSON.stringify(i)).join(' , ')} ] `, size)).toEqual(items);
    }
    expect(await texts('[]')).toEqual([]);
  });

  it('treats a body that is not an array as one item', async () => {
    expect(await texts('{"stationId":"GZ-1","pm25":3}')).toEqual([{ stationId: 'GZ-1', pm25: 3 }]);
  });

  it('refuses a broken array structure', async () => {
    for (const body of ['[1,2', '[1,,2]', '[,1]', '[1,]', '[1] x', '[']) {
      await expect(all(readJsonItems(chunked(body, 2), 1000)), body).rejects.toBeInstanceOf(JsonBodyError);
    }
  });

  it('reports an over-long element by position and still finds the next one', async () => {
    const body = `[{"a":1},{"big":"${'y'.repeat(3000)}"},{"c":3}]`;
    expect(await all(readJsonItems(chunked(body, 64), 1000))).toEqual([
      { n: 0, text: '{"a":1}' },
      { n: 1, tooLong: true },
      { n: 2, text: '{"c":3}' },
    ]);
  });
});

describe('RejectionLog', () => {
  it('counts every refusal but keeps only the lowest positions, in order, with cut texts', () => {
    const log = new RejectionLog(3);
    log.refuse(10, [{ field: 'pm25', reason: 'bad' }]);
    log.refuse(2, [{ field: '', reason: 'x'.repeat(1000) }], 3);
    log.refuse(7, [
      { field: 'no2', reason: 'a' },
      { field: 'o3', reason: 'b' },
    ]);
    for (let i = 100; i < 100_000; i++) log.refuse(i, [{ field: 'f', reason: 'r' }]);
    expect(log.items).toBe(3 + 99_900);
    expect(log.total).toBe(4 + 99_900);
    expect(log.first.map((r) => [r.index, r.field])).toEqual([
      [2, ''],
      [7, 'no2'],
      [7, 'o3'],
    ]);
    expect(log.first[0]!.reason.length).toBeLessThanOrEqual(200);
    expect(log.first[0]!.line).toBe(3);
    expect(log.omitted).toBe(log.total - 3);
  });
});
