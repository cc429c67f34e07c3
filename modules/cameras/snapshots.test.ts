import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SnapshotStore } from './snapshots.ts';

const testJpeg = (size: string) =>
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}`],
    ...['-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1'],
  ]);
const jpeg = testJpeg('96x54');
// A larger picture, so reused files are rewritten both longer and shorter than they were.
const large = testJpeg('320x180');
const dir = mkdtempSync(join(tmpdir(), 'snapshots-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SnapshotStore', () => {
  it('keeps the latest in memory, the last `retention` on disk, and serves only whole JPEGs', async () => {
    const store = new SnapshotStore(dir, 3);
    const t = Date.UTC(2026, 0, 1);
    const snaps = [];
    for (let i = 0; i < 5; i++) snaps.push(await store.put('CAM', jpeg, new Date(t + i * 1000)));
    expect(store.get('CAM')).toMatchObject({ sequence: 5, width: 96, height: 54, name: `${t + 4000}.jpg` });
    expect(readdirSync(store.cameraDir('CAM')).sort()).toEqual(snaps.slice(2).map((s) => s.name));
    expect(await store.file('CAM', snaps[4]!.name)).toEqual(jpeg);
    expect(await store.file('CAM', snaps[0]!.name)).toBeNull(); // beyond retention

    // A file cut short (a crash mid-write) in the directory of an earlier run is not served.
    const partial = `${t + 9000}.jpg`;
    writeFileSync(join(store.cameraDir('CAM'), partial), jpeg.subarray(0, jpeg.length - 100));
    expect(await new SnapshotStore(dir, 3).file('CAM', partial)).toBeNull();
  });

  it('rewrites reused files to exactly the new picture, longer or shorter than the old one', async () => {
    const store = new SnapshotStore(join(dir, 'reuse'), 2);
    const t = Date.UTC(2026, 0, 2);
    const pictures = [large, large, jpeg, jpeg, large, jpeg, large];
    const snaps = [];
    for (const [i, p] of pictures.entries()) snaps.push(await store.put('CAM', p, new Date(t + i * 1000)));
    expect(readdirSync(store.cameraDir('CAM')).sort()).toEqual(snaps.slice(-2).map((s) => s.name));
    for (const i of [pictures.length - 2, pictures.length - 1]) {
      expect(readFileSync(join(store.cameraDir('CAM'), snaps[i]!.name))).toEqual(pictures[i]);
      expect(await store.file('CAM', snaps[i]!.name)).toEqual(pictures[i]);
    }
  });

  it('does not serve a file that a newer snapshot took over while it was being read', async () => {
    const store = new SnapshotStore(join(dir, 'race'), 2);
    const t = Date.UTC(2026, 0, 3);
    const first = await store.put('CAM', jpeg, new Date(t));
    await store.put('CAM', jpeg, new Date(t + 1000));
    const reading = store.file('CAM', first.name);
    // The third snapshot reuses the first one's file before the read (on libuv's pool) ends.
    await store.put('CAM', large, new Date(t + 2000));
    expect(await reading).toBeNull();
  });
});
