import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SnapshotStore } from './snapshots.ts';

const jpeg = execFileSync('ffmpeg', [
  ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=96x54'],
  ...['-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1'],
]);
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

    // A file cut short (a write in progress, or a crash mid-write) is not served.
    const partial = `${t + 9000}.jpg`;
    writeFileSync(join(store.cameraDir('CAM'), partial), jpeg.subarray(0, jpeg.length - 100));
    expect(await store.file('CAM', partial)).toBeNull();
  });
});
