// The demo cameras' ffmpeg generators write HLS files, not pipes, so nothing would stop them if the
// hub died without a chance to clean up. A SIGKILLed hub must not leave them running.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from './support/hub-process.ts';
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

  it('die with a SIGKILLed hub', async () => {
    hub = await startHub({ CITYSTREAM_DEMO: '1', CITYSTREAM_DATA_DIR: dataDir, CITYSTREAM_ROLES: 'ingest' });
    const generators = await waitFor(() => {
      const pids = ffmpegUnder(dataDir);
      return pids.length >= 3 ? pids : null;
    }, 'three demo generators running');
    expect(generators.length).toBeGreaterThanOrEqual(3);

    await hub.stop('SIGKILL');
    await waitFor(() => ffmpegUnder(dataDir).length === 0, 'no generator left after the hub died', 10_000);
  });
});
