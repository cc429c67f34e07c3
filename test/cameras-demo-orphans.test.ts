// The demo cameras' ffmpeg generators and the live restreams write HLS files, not pipes, so nothing
// would stop them if the hub died without a chance to clean up. A SIGKILLed hub must not leave them
// running. CITYSTREAM_CAMERAS_DEMO=0 runs the demo without its cameras and their ffmpeg processes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../core/retry.ts';
import { childProcesses } from './support/camera-sources.ts';
import { DEMO_WITHOUT_CAMERAS, startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';
import { waitFor } from './support/wait.ts';

/** ffmpeg processes whose command line mentions `dir` (the generators write under the data dir). */
function ffmpegUnder(dir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('ffmpeg') && l.includes(dir))
    .map((l) => Number.parseInt(l.trim(), 10));
}

describe('demo camera generators', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'citystream-orphans-'));
  let hub: HubProcess | undefined;

  afterAll(async () => {
    await hub?.stop('SIGKILL');
    for (const pid of ffmpegUnder(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('die with a SIGKILLed hub, and so does a live restream', async () => {
    hub = await startHubOnAnyDatabase({
      CITYSTREAM_DEMO: '1',
      CITYSTREAM_DATA_DIR: dataDir,
      CITYSTREAM_ROLES: 'ingest',
    });
    // The two HLS demo cameras' generators (the MJPEG one streams to a pipe).
    await waitFor(() => ffmpegUnder(dataDir).length >= 2, 'two demo generators running');
    // Someone watches SZ-CAM-01: its worker starts a restream writing under the data dir.
    const hubUrl = hub.url;
    await waitFor(
      async () => {
        const res = await fetch(`${hubUrl}/v1/cameras/SZ-CAM-01/restream/index.m3u8`);
        if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
        return true;
      },
      'the live restream of SZ-CAM-01 playing',
      60_000,
      500,
    );
    const running = ffmpegUnder(join(dataDir, 'cameras-live'));
    expect(running.length).toBe(1);
    const generators = ffmpegUnder(dataDir);
    expect(generators.length).toBeGreaterThanOrEqual(3);

    await hub.stop('SIGKILL');
    await waitFor(() => ffmpegUnder(dataDir).length === 0, 'no generator left after the hub died', 10_000);
  }, 120_000);
});

describe('a demo without cameras (CITYSTREAM_CAMERAS_DEMO=0)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'citystream-nocams-'));
  let hub: HubProcess | undefined;

  afterAll(async () => {
    await hub?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs no ffmpeg and lists no camera, and the rest of the demo still runs', async () => {
    hub = await startHubOnAnyDatabase({ ...DEMO_WITHOUT_CAMERAS, CITYSTREAM_DATA_DIR: dataDir });
    // With the cameras on, their generators are running before the server listens.
    expect(childProcesses(hub.child.pid!, 'ffmpeg')).toEqual([]);
    // Demo mode itself is on: the demo sign-in token is issued.
    const token = await fetch(`${hub.url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'nocams' }),
    });
    expect(token.status).toBe(201);
    // Demo cameras register within a second of start-up when they run; none may appear.
    await sleep(3000);
    const cameras = (await (await fetch(`${hub.url}/v1/cameras`)).json()) as { items: unknown[] };
    expect(cameras.items).toEqual([]);
    expect(childProcesses(hub.child.pid!, 'ffmpeg')).toEqual([]);
  }, 60_000);
});
