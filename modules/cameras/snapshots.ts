// Snapshots of the cameras this worker runs: the latest of each in memory (served without disk
// I/O), and the last `retention` of each on disk as <dataDir>/cameras/<id>/<time ms>.jpg —
// immutable, addressable files that the snapshot events link to. A file is written under its
// final name in one write (no temporary file and rename: one filesystem operation less per
// snapshot); readers get whole JPEGs only, because `file` serves a file only when it runs from
// SOI to EOI — one cut short by a crash is not served.
import { createHash } from 'node:crypto';
import { unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jpegSize } from './jpeg.ts';

export interface Snapshot {
  cameraId: string;
  time: Date;
  /** File name under the camera's directory; unique per camera. */
  name: string;
  jpeg: Buffer;
  width: number;
  height: number;
  etag: string;
  sequence: number;
}

export class SnapshotStore {
  private readonly latest = new Map<string, Snapshot>();
  private readonly onDisk = new Map<string, string[]>();
  private readonly sequences = new Map<string, number>();

  readonly dir: string;
  private readonly retention: number;

  constructor(dir: string, retention: number) {
    this.dir = dir;
    this.retention = retention;
  }

  cameraDir(cameraId: string): string {
    return join(this.dir, cameraId);
  }

  private readonly queues = new Map<string, Promise<unknown>>();

  /** Decodes the size, writes the file and trims the oldest beyond retention.
   * Puts of one camera run one at a time, in order (frames can arrive in bursts). */
  put(cameraId: string, jpeg: Buffer, time = new Date()): Promise<Snapshot> {
    const run = (this.queues.get(cameraId) ?? Promise.resolve()).then(() => this.write(cameraId, jpeg, time));
    const tail = run.catch(() => undefined);
    this.queues.set(cameraId, tail);
    void tail.then(() => {
      if (this.queues.get(cameraId) === tail) this.queues.delete(cameraId);
    });
    return run;
  }

  private async write(cameraId: string, jpeg: Buffer, time: Date): Promise<Snapshot> {
    const size = jpegSize(jpeg);
    if (!size) throw new Error(`camera ${cameraId}: ffmpeg produced bytes that are not a JPEG`);
    const dir = this.cameraDir(cameraId);
    let files = this.onDisk.get(cameraId);
    if (!files) {
      await mkdir(dir, { recursive: true });
      // Files of earlier runs count against retention too.
      files = (await readdir(dir)).filter((f) => /^\d+\.jpg$/.test(f)).sort(byTime);
      this.onDisk.set(cameraId, files);
    }
    let ms = time.getTime();
    const last = files[files.length - 1];
    if (last && Number.parseInt(last, 10) >= ms) ms = Number.parseInt(last, 10) + 1;
    const name = `${ms}.jpg`;
    // Synchronous on purpose: a snapshot (tens to a few hundred KiB) goes to the page cache in
    // ~60 µs of system time, while the same write and unlink through libuv's thread pool cost
    // ~250 µs of CPU (thread hand-offs and wake-ups), about a third of node's work per snapshot
    // (bench:cameras). The event loop waits that ~60 µs once per snapshot interval per camera.
    writeFileSync(join(dir, name), jpeg);
    files.push(name);
    while (files.length > this.retention) {
      const old = files.shift()!;
      try {
        unlinkSync(join(dir, old));
      } catch {
        // already gone (removed by hand, or by an earlier run): nothing to trim
      }
    }
    const sequence = (this.sequences.get(cameraId) ?? 0) + 1;
    this.sequences.set(cameraId, sequence);
    const snapshot: Snapshot = {
      cameraId,
      time: new Date(ms),
      name,
      jpeg,
      ...size,
      etag: `"${createHash('sha1').update(jpeg).digest('base64url').slice(0, 22)}"`,
      sequence,
    };
    this.latest.set(cameraId, snapshot);
    return snapshot;
  }

  get(cameraId: string): Snapshot | undefined {
    return this.latest.get(cameraId);
  }

  /** Forgets the in-memory copy (the camera moved to another worker or was removed). */
  drop(cameraId: string): void {
    this.latest.delete(cameraId);
  }

  /** A retained file by name; null when retention already removed it or it is not a whole
   * JPEG (still being written, or cut short by a crash). */
  async file(cameraId: string, name: string): Promise<Buffer | null> {
    if (!/^\d+\.jpg$/.test(name)) return null;
    try {
      const jpeg = await readFile(join(this.cameraDir(cameraId), name));
      return isWholeJpeg(jpeg) ? jpeg : null;
    } catch {
      return null;
    }
  }
}

/** Starts with SOI and ends with EOI: what a complete image2pipe frame looks like. */
const isWholeJpeg = (b: Buffer) =>
  b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;

const byTime = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10);
