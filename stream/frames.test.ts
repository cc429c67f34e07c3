import { describe, expect, it } from 'vitest';
import { MAX_CHANNELS_PER_FRAME, parseClientFrame } from './frames.ts';

const subscribe = (n: number) =>
  JSON.stringify({
    type: 'subscribe',
    id: 7,
    channels: Array.from({ length: n }, (_, i) => `air:station:GZ-${String(i).padStart(4, '0')}`),
  });

describe('client frames', () => {
  it(`accepts a subscribe of ${MAX_CHANNELS_PER_FRAME} channels`, () => {
    const parsed = parseClientFrame(subscribe(MAX_CHANNELS_PER_FRAME));
    expect(parsed.ok).toBe(true);
  });

  it('refuses one more channel as a whole, naming the field and echoing the id', () => {
    const parsed = parseClientFrame(subscribe(MAX_CHANNELS_PER_FRAME + 1));
    expect(parsed).toEqual({
      ok: false,
      id: 7,
      message: `channels: at most ${MAX_CHANNELS_PER_FRAME} channels per frame; send several frames`,
    });
  });
});
