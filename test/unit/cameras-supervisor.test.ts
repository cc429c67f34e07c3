// How the camera supervisor judges a run that ends before its first frame. A source that merely
// ran out (ffmpeg exit 0, no error line) — a live playlist between publishers, as when a camera's
// worker moves to another process — is retried within seconds; a source that fails (connection
// refused) is an error at once. Real ffmpeg and a real MJPEG source; the "ran out" runs come from a
// wrapper around ffmpeg that exits 0 without output for its first two starts.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CameraConfig } from '../../core/events/cameras.ts';
import { silentLogger } from '../../core/observability/index.ts';
import { ProcessLimiter } from '../../modules/cameras/limiter.ts';
import { CameraSupervisor, type Status } from '../../modules/cameras/supervisor.ts';
import { mjpegSource, pipelineChildren } from '../support/camera-sources.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/wait.ts';

function camera(url: string): CameraConfig {
  return {
    id: 'SUP-1',
    name: 'supervisor',
    city: 'shenzhen',
    lat: 22.54,
    lon: 114.06,
    url,
    protocol: 'mjpeg',
    snapshotIntervalSeconds: 1,
    maxWidth: 160,
    enabled: true,
  };
}

/** An ffmpeg that ends cleanly, saying nothing, for its first `emptyRuns` snapshot runs. */
function ffmpegEndingEmpty(emptyRuns: number): { path: string; starts: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'cameras-supervisor-'));
  const counter = join(dir, 'starts');
  writeFileSync(counter, '');
  const path = join(dir, 'ffmpeg');
  writeFileSync(
    path,
    // fluent-ffmpeg also asks the binary for its formats and codecs (and caches the answer for
    // the process): only snapshot runs (image2pipe) are counted and cut short.
    '#!/bin/sh\ncase "$*" in *image2pipe*)\n' +
      `  echo >> '${counter}'\n` +
      `  [ "$(wc -l < '${counter}')" -le ${emptyRuns} ] && exit 0 ;;\nesac\nexec ffmpeg "$@"\n`,
  );
  chmodSync(path, 0o755);
  return { path, starts: () => readFileSync(counter, 'utf8').split('\n').length - 1 };
}

describe('camera supervisor, before the first frame', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  function supervise(url: string, ffmpegPath: string) {
    const statuses: { status: Status; reason: string | undefined }[] = [];
    let frames = 0;
    const supervisor = new CameraSupervisor(
      camera(url),
      new ProcessLimiter(1),
      // errorRetryMs far beyond the test: a camera sent to `error` would not come back in time
      { ffmpegPath, maxWidth: 160, stallIntervals: 10, errorRetryMs: 120_000, restartBaseMs: 300 },
      {
        onFrame: () => frames++,
        onStatus: (status, reason) => statuses.push({ status, reason }),
        onRestart: () => undefined,
        onSample: () => undefined,
      },
      silentLogger(),
    );
    cleanup.push(() => supervisor.stop('test over'));
    supervisor.start();
    return { supervisor, statuses, frames: () => frames };
  }

  it('retries a source that ended without a frame within seconds, and goes online', async () => {
    const source = await mjpegSource({ width: 160, height: 120 });
    cleanup.push(() => source.stop());
    const ffmpeg = ffmpegEndingEmpty(2);
    const run = supervise(source.url, ffmpeg.path);
    await waitFor(() => run.frames() > 0, 'the first snapshot after two empty runs', 20_000, 50);
    expect(ffmpeg.starts()).toBe(3);
    expect(run.statuses.map((s) => s.status)).toEqual(['online']);
    await run.supervisor.stop('test over');
    expect(pipelineChildren()).toEqual([]);
  }, 30_000);

  it('reports a refused connection as an error at once, naming ffmpeg’s reason', async () => {
    const port = await freePort();
    const run = supervise(`http://127.0.0.1:${port}/video.mjpg`, 'ffmpeg');
    await waitFor(() => run.statuses.length > 0, 'a status', 20_000, 50);
    expect(run.statuses[0]!.status).toBe('error');
    expect(run.statuses[0]!.reason).toMatch(/refused/i);
  }, 30_000);
});
