// JPEG framing for ffmpeg's `image2pipe` output (JPEGs back to back on stdout) and the size of a
// JPEG from its frame header. The splitter walks marker segments by their lengths, so a 0xFFD9
// inside a header (EXIF thumbnail, ICC profile) cannot cut a frame short; only the entropy-coded
// data after SOS is scanned, where 0xFF is always stuffed or a marker.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

export interface JpegSize {
  width: number;
  height: number;
}

/** Width and height from the first SOFn segment, or null when the bytes are not a JPEG. */
export function jpegSize(buf: Buffer): JpegSize | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== SOI) return null;
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = buf.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > buf.length) return null;
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    if (marker === SOS) return null;
    i += 2 + len;
  }
  return null;
}

/**
 * Splits a byte stream of concatenated JPEGs into whole images. Feed chunks with `push`; each
 * complete image is returned. Bytes before an SOI (garbage) are dropped.
 */
export class JpegSplitter {
  private buf: Buffer = Buffer.alloc(0);
  /** Where scanning resumes, so a large frame arriving in many chunks is not rescanned. */
  private scan = 0;
  private inData = false;

  private readonly maxFrameBytes;

  constructor(maxFrameBytes = 32 * 1024 * 1024) {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) break;
      out.push(frame);
    }
    if (this.buf.length > this.maxFrameBytes) this.reset();
    return out;
  }

  private reset(): void {
    this.buf = Buffer.alloc(0);
    this.scan = 0;
    this.inData = false;
  }

  private next(): Buffer | null {
    const b = this.buf;
    if (this.scan === 0) {
      const start = findSoi(b);
      if (start < 0) {
        // Keep a trailing 0xFF: it may be the first half of the next SOI.
        this.buf = b.length > 0 && b[b.length - 1] === 0xff ? b.subarray(b.length - 1) : Buffer.alloc(0);
        return null;
      }
      if (start > 0) this.buf = b.subarray(start);
      this.scan = 2;
      this.inData = false;
      return this.next();
    }
    let i = this.scan;
    if (!this.inData) {
      while (i + 4 <= b.length) {
        if (b[i] !== 0xff) {
          // Not a marker where one must be: resynchronise on the next SOI.
          this.buf = b.subarray(i);
          this.scan = 0;
          return this.next();
        }
        const marker = b[i + 1]!;
        if (marker === 0xff) {
          i++;
          continue;
        }
        const len = b.readUInt16BE(i + 2);
        if (i + 2 + len > b.length) break;
        i += 2 + len;
        if (marker === SOS) {
          this.inData = true;
          break;
        }
      }
      this.scan = i;
      if (!this.inData) return null;
    }
    // Jump from 0xFF to 0xFF with the native indexOf: the entropy-coded data is most of a JPEG.
    for (; i + 1 < b.length; i++) {
      i = b.indexOf(0xff, i);
      if (i < 0 || i + 1 >= b.length) {
        i = i < 0 ? b.length - 1 : i;
        break;
      }
      const m = b[i + 1]!;
      if (m === EOI) {
        // ffmpeg writes a frame and then waits for the next one, so a frame usually ends its
        // buffer: hand that buffer over as is. Only a frame with bytes after it is copied out,
        // so it does not keep the rest of the buffer alive.
        const frame = i + 2 === b.length ? b : Buffer.from(b.subarray(0, i + 2));
        this.buf = b.subarray(i + 2);
        this.scan = 0;
        this.inData = false;
        return frame;
      }
      // 0xFF00 (stuffing) and RSTn stay in the data; another marker (e.g. a progressive
      // scan's DHT/SOS) puts us back in segment mode.
      if (m !== 0x00 && !(m >= 0xd0 && m <= 0xd7) && m !== 0xff) {
        this.scan = i;
        this.inData = false;
        return this.next();
      }
    }
    this.scan = i;
    return null;
  }
}

function findSoi(b: Buffer): number {
  let i = b.indexOf(0xff);
  while (i >= 0 && i + 1 < b.length) {
    if (b[i + 1] === SOI) return i;
    i = b.indexOf(0xff, i + 1);
  }
  return -1;
}
