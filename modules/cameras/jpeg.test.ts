import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JpegSplitter, jpegSize } from './jpeg.ts';

// Three real JPEGs from ffmpeg, back to back, as image2pipe writes them.
const stream = execFileSync(
  'ffmpeg',
  [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=96x54:rate=5',
    '-frames:v',
    '3',
    '-c:v',
    'mjpeg',
    '-f',
    'image2pipe',
    'pipe:1',
  ],
  { maxBuffer: 1 << 24 },
);

describe('JpegSplitter', () => {
  it('returns whole images however the bytes are chunked', () => {
    for (const chunkSize of [1, 7, 512, stream.length]) {
      const splitter = new JpegSplitter();
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkSize)
        frames.push(...splitter.push(stream.subarray(i, i + chunkSize)));
      expect(frames.length, `chunks of ${chunkSize}`).toBe(3);
      expect(Buffer.concat(frames).equals(stream)).toBe(true);
      for (const f of frames) expect(jpegSize(f)).toEqual({ width: 96, height: 54 });
    }
  });

  it('skips garbage before an image and does not cut at an FFD9 inside a header segment', () => {
    const one = new JpegSplitter().push(stream)[0]!;
    // An APP1 segment whose payload contains FF D9 (like an EXIF thumbnail would).
    const app1 = Buffer.from([0xff, 0xe1, 0x00, 0x06, 0xff, 0xd9, 0x00, 0x00]);
    const withApp1 = Buffer.concat([one.subarray(0, 2), app1, one.subarray(2)]);
    const frames = new JpegSplitter().push(Buffer.concat([Buffer.from('garbage\xff'), withApp1]));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.equals(withApp1)).toBe(true);
    expect(jpegSize(frames[0]!)).toEqual({ width: 96, height: 54 });
  });

  it('says null for bytes that are not a JPEG', () => {
    expect(jpegSize(Buffer.from('not a jpeg at all'))).toBeNull();
  });
});
