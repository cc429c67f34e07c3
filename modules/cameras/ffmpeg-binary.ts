// Which ffmpeg runs the pipelines: an explicit CITYSTREAM_FFMPEG_PATH, else the system ffmpeg on
// PATH (distribution builds get security updates and hardware decoders), else the static build
// shipped inside the @ffmpeg-installer/<platform> npm package. ffmpeg-static is not used: it
// downloads its binary from GitHub at install time, which fails on registry-only networks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface FfmpegBinary {
  path: string;
  source: 'configured' | 'system' | 'npm';
  version: string;
  /** Accepts `-stats_period` (ffmpeg ≥ 4.4; the npm fallback build is 4.1). */
  statsPeriod: boolean;
}

function probe(path: string): string | null {
  const r = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  return /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

function acceptsStatsPeriod(path: string): boolean {
  return (
    spawnSync(path, ['-hide_banner', '-stats_period', '1', '-version'], { timeout: 10_000 }).status === 0
  );
}

function npmBinary(): string | null {
  try {
    // The package throws (a string) on platforms it has no binary for.
    const mod = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path ?? null;
  } catch {
    return null;
  }
}

let cached: FfmpegBinary | null = null;

/** Finds a working ffmpeg once per process; throws with what was tried when there is none. */
export function resolveFfmpeg(configured: string | null): FfmpegBinary {
  if (cached && (configured === null || cached.path === configured)) return cached;
  if (configured) {
    const version = probe(configured);
    if (!version) throw new Error(`CITYSTREAM_FFMPEG_PATH=${configured} does not run "ffmpeg -version"`);
    return (cached = {
      path: configured,
      source: 'configured',
      version,
      statsPeriod: acceptsStatsPeriod(configured),
    });
  }
  const system = probe('ffmpeg');
  if (system)
    return (cached = {
      path: 'ffmpeg',
      source: 'system',
      version: system,
      statsPeriod: acceptsStatsPeriod('ffmpeg'),
    });
  const packaged = npmBinary();
  const version = packaged ? probe(packaged) : null;
  if (packaged && version)
    return (cached = { path: packaged, source: 'npm', version, statsPeriod: acceptsStatsPeriod(packaged) });
  throw new Error(
    'no ffmpeg found: not on PATH and @ffmpeg-installer/ffmpeg has no binary for this platform; install ffmpeg or set CITYSTREAM_FFMPEG_PATH',
  );
}
