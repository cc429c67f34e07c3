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

/** Version and whether it takes -stats_period, in one run where it does (each run costs ~130 ms). */
function probe(path: string): { version: string; statsPeriod: boolean } | null {
  const run = (args: string[]) =>
    spawnSync(path, ['-hide_banner', ...args, '-version'], { encoding: 'utf8', timeout: 10_000 });
  const versionOf = (stdout: string) => /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
  const modern = run(['-stats_period', '1']);
  if (modern.status === 0 && typeof modern.stdout === 'string')
    return { version: versionOf(modern.stdout), statsPeriod: true };
  const old = run([]);
  if (old.status !== 0 || typeof old.stdout !== 'string') return null;
  return { version: versionOf(old.stdout), statsPeriod: false };
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
    const found = probe(configured);
    if (!found) throw new Error(`CITYSTREAM_FFMPEG_PATH=${configured} does not run "ffmpeg -version"`);
    return (cached = { path: configured, source: 'configured', ...found });
  }
  const system = probe('ffmpeg');
  if (system) return (cached = { path: 'ffmpeg', source: 'system', ...system });
  const packaged = npmBinary();
  const found = packaged ? probe(packaged) : null;
  if (packaged && found) return (cached = { path: packaged, source: 'npm', ...found });
  throw new Error(
    'no ffmpeg found: not on PATH and @ffmpeg-installer/ffmpeg has no binary for this platform; install ffmpeg or set CITYSTREAM_FFMPEG_PATH',
  );
}
