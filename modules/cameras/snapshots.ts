// Snapshots of the cameras this worker runs: the latest of each in memory (served without disk
// I/O), and the last `retention` of each on disk as <dataDir>/cameras/<id>/<time ms>.jpg —
// immutable, addressable files that the snapshot events link to. Once a camera has `retention`
// files, a new snapshot reuses the oldest one's file: renamed to the new name, then cut to the new
// length and overwritten in place. Creating a file and deleting another allocates and frees an
// inode each time, about twice the CPU (≈ 330 against ≈ 165 µs per snapshot, measured with the
// pattern of 16 cameras on this project's VMs). Readers get whole JPEGs only: `file` serves a name
// only while it is retained, before and after reading it (a reuse during the read drops it), and
// only a file that runs from SOI to EOI, so one cut short by a crash is not served.
import { hash } from 'node:crypto';
import {
  closeSync,
  constants,
  ftruncateSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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
    // Retention lowered since an earlier run: trim to it; the oldest left is then reused.
    while (files.length > this.retention) removeQuietly(join(dir, files.shift()!));
    // Synchronous on purpose: a snapshot (tens to a few hundred KiB) goes to the page cache in
    // well under a millisecond, while the same calls through libuv's thread pool add hand-offs
    // and wake-ups (~250 µs of CPU per snapshot when measured). The event loop waits that once
    // per snapshot interval per camera.
    const oldest = files.length === this.retention ? files.shift()! : null;
    try {
      if (oldest === null || !reuse(join(dir, oldest), join(dir, name), jpeg))
        writeFileSync(join(dir, name), jpeg);
    } finally {
      // Listed even when the write failed (disk full): a cut file is never served, and the
      // next snapshot reuses or trims it instead of leaving it behind.
      files.push(name);
    }
    const sequence = (this.sequences.get(cameraId) ?? 0) + 1;
    this.sequences.set(cameraId, sequence);
    const snapshot: Snapshot = {
      cameraId,
      time: new Date(ms),
      name,
      jpeg,
      ...size,
      // One-shot hash: a Hash object per snapshot (create, update, digest) cost about three
      // times the hashing itself.
      etag: `"${hash('sha1', jpeg, 'base64url').slice(0, 22)}"`,
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

  /** A retained file by name; null when retention already dropped it, a newer snapshot took its
   * file over, or it is not a whole JPEG (a failed write, or one cut short by a crash). */
  async file(cameraId: string, name: string): Promise<Buffer | null> {
    if (!/^\d+\.jpg$/.test(name) || !this.retains(cameraId, name)) return null;
    try {
      const jpeg = await readFile(join(this.cameraDir(cameraId), name));
      // A put during the read may have reused this very file for a newer snapshot.
      return this.retains(cameraId, name) && isWholeJpeg(jpeg) ? jpeg : null;
    } catch {
      return null;
    }
  }

  /** True while `name` is one of the camera's retained files; files of an earlier run count until
   * this process's first snapshot of the camera lists them. */
  private retains(cameraId: string, name: string): boolean {
    return this.onDisk.get(cameraId)?.includes(name) ?? true;
  }
}

/**
 * Moves the file `from` to `to` and overwrites it with `jpeg`; false when `from` is gone (removed
 * by hand). In this order a crash part-way leaves either the old picture or a cut one under a
 * name no event has announced yet, never a wrong picture under an announced name; a cut one
 * does not run to EOI and is not served.
 */
function reuse(from: string, to: string, jpeg: Buffer): boolean {
  try {
    renameSync(from, to);
  } catch {
    return false;
  }
  const fd = openSync(to, constants.O_WRONLY);
  try {
    ftruncateSync(fd, jpeg.length);
    // writeSync may write less than asked (as writeFileSync's own loop allows for).
    for (let at = 0; at < jpeg.length;) at += writeSync(fd, jpeg, at, jpeg.length - at, at);
  } finally {
    closeSync(fd);
  }
  return true;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (removed by hand, or by an earlier run): nothing to trim
  }
}

/** Starts with SOI and ends with EOI: what a complete image2pipe frame looks like. */
const isWholeJpeg = (b: Buffer) =>
  b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;

const byTime = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10);
