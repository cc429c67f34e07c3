// Writes the app icons (icon-192.png, icon-512.png, maskable-512.png) next to this file: the
// dashboard's green "live" mark on a full-bleed square, the mark inside the maskable safe zone
// (the inner 80%). Run once after changing the design: `node --import tsx web/icons/generate.ts`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const GREEN = [0x00, 0xa8, 0x6b];
const WHITE = [0xff, 0xff, 0xff];

/** RGBA pixels of the mark: a white ring with a white dot, antialiased, on green. */
function draw(size: number, scale: number): Buffer {
  const px = Buffer.alloc(size * size * 4);
  const c = size / 2;
  const ringOuter = 0.3 * size * scale;
  const ringInner = 0.22 * size * scale;
  const dot = 0.11 * size * scale;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      const cover = (edge: number) => Math.max(0, Math.min(1, edge - d + 0.5));
      const white = Math.max(Math.min(cover(ringOuter), 1 - cover(ringInner)), cover(dot));
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) px[i + k] = Math.round(GREEN[k]! * (1 - white) + WHITE[k]! * white);
      px[i + 3] = 255;
    }
  }
  return px;
}

function png(size: number, rgba: Buffer): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(dir, 'icon-192.png'), png(192, draw(192, 1)));
writeFileSync(join(dir, 'icon-512.png'), png(512, draw(512, 1)));
writeFileSync(join(dir, 'maskable-512.png'), png(512, draw(512, 0.8)));
