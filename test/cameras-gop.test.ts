// Key-frame-only decoding "where the interval allows": a source whose key frames are further
// apart than the snapshot interval is detected, and the camera switches to decoding every frame,
// after which snapshots come once per interval again. Real ffmpeg, real HLS over HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/observability/index.ts';
import { ProcessLimiter } from '../modules/cameras/limiter.ts';
import { CameraSupervisor, type Status } from '../modules/cameras/supervisor.ts';
import { hlsSource, pipelineChildren } from './support/camera-sources.ts';
import { waitFor } from './support/wait.ts';

describe('key frames further apart than the interval', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('falls back from key-frame-only decoding to every frame', async () => {
    // Key frame every 4 s, snapshot wanted every second.
    const source = await hlsSource(join(mkdtempSync(join(tmpdir(), 'cameras-gop-')), 'hls'), {
      segmentSeconds: 4,
      gopSeconds: 4,
    });
    cleanup.push(() => source.stop());
    const frames: number[] = [];
    const statuses: Status[] = [];
    const supervisor = new CameraSupervisor(
      {
        id: 'GOP-1',
        name: 'gop',
        city: 'foshan',
        lat: 23,
        lon: 113,
        url: source.url,
        protocol: 'hls',
        snapshotIntervalSeconds: 1,
        maxWidth: 160,
        enabled: true,
      },
      new ProcessLimiter(1),
      { ffmpegPath: 'ffmpeg', maxWidth: 160, stallIntervals: 10, errorRetryMs: 5_000 },
      {
        onFrame: () => frames.push(Date.now()),
        onStatus: (s) => statuses.push(s),
        onRestart: () => undefined,
        onSample: () => undefined,
      },
      silentLogger(),
    );
    cleanup.push(() => supervisor.stop('test over'));
    expect(supervisor.decodesKeyframesOnly).toBe(true);
    supervisor.start();
    // The switch is judged on the 5 s CPU sample after ten intervals of frames: about 20-25 s from
    // start when five integration files share the machine (first frame at 4.5-5.7 s), so 30 s
    // left too little for a loaded CI run.
    await waitFor(() => !supervisor.decodesKeyframesOnly, 'the switch to decoding every frame', 50_000, 100);
    const switchedAt = Date.now();
    await waitFor(
      () => frames.filter((t) => t > switchedAt + 4_000).length >= 4,
      'snapshots after the switch',
      20_000,
    );
    // After the switch: about one per second, not one per 4 s key frame.
    const after = frames.filter((t) => t > switchedAt + 4_000);
    const perSecond = (after.length - 1) / ((after.at(-1)! - after[0]!) / 1000);
    expect(perSecond).toBeGreaterThan(0.6);
    expect(statuses).not.toContain('error');
    await supervisor.stop('test over');
    expect(pipelineChildren()).toEqual([]);
  }, 90_000);
});
