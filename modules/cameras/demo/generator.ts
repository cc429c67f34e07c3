// Live test streams made by ffmpeg: a moving test pattern with the camera's name and a clock
// (drawtext), encoded to H.264 and written as a live HLS playlist (or MJPEG on stdout). Used for
// the demo cameras, the tests and the benchmark, so all three exercise the ordinary pipeline.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnTied } from './tied-spawn.ts';

const FONT_DIRS = ['/usr/share/fonts/truetype/liberation', '/usr/share/fonts/truetype/liberation2'];

function fontFile(): string | null {
  for (const dir of FONT_DIRS) {
    const f = join(dir, 'LiberationSans-Bold.ttf');
    if (existsSync(f)) return f;
  }
  return null;
}

export interface PatternOptions {
  label: string;
  width: number;
  height: number;
  fps: number;
}

/**
 * The start of every generator's command line: quiet ffmpeg reading testsrc2 in real time with the
 * label and a wall clock burnt in (plain pattern without a font). Output options follow.
 */
export function patternArgs(o: PatternOptions): string[] {
  const font = fontFile();
  const label = o.label.replace(/[^A-Za-z0-9 _-]/g, '');
  const size = Math.max(16, Math.round(o.height / 12));
  const filter = font
    ? [
        '-vf',
        `drawtext=fontfile=${font}:text='${label} %{localtime\\:%H\\\\\\:%M\\\\\\:%S}':x=20:y=20:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6`,
      ]
    : [];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`],
    ...filter,
  ];
}

/** Low-latency H.264 as a camera would send it, a key frame every `gopFrames` frames. */
export function liveH264Args(gopFrames: number): string[] {
  return [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
    ...['-g', String(gopFrames)],
  ];
}

export interface HlsOptions extends PatternOptions {
  dir: string;
  segmentSeconds: number;
  /** Key frame every N seconds (default: one per segment). */
  gopSeconds?: number;
}

export function hlsArgs(o: HlsOptions, ffmpeg = 'ffmpeg'): { command: string; args: string[] } {
  const gop = Math.max(1, Math.round((o.gopSeconds ?? o.segmentSeconds) * o.fps));
  return {
    command: ffmpeg,
    args: [
      ...patternArgs(o),
      ...liveH264Args(gop),
      '-keyint_min',
      String(gop),
      '-sc_threshold',
      '0',
      '-f',
      'hls',
      '-hls_time',
      String(o.segmentSeconds),
      '-hls_list_size',
      '5',
      '-hls_flags',
      'delete_segments+omit_endlist',
      join(o.dir, 'index.m3u8'),
    ],
  };
}

export interface Generator {
  child: ChildProcess;
  stop(): Promise<void>;
}

function track(child: ChildProcess): Generator {
  const exited = once(child, 'exit').then(() => undefined);
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts writing a live HLS stream into `dir` (index.m3u8 + segments). */
export async function startHlsGenerator(o: HlsOptions, ffmpeg = 'ffmpeg'): Promise<Generator> {
  await mkdir(o.dir, { recursive: true });
  const { command, args } = hlsArgs(o, ffmpeg);
  return track(spawnTied(command, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
}

/** Multipart MJPEG (multipart/x-mixed-replace, as IP cameras serve it) on the child's stdout. */
export function startMjpegGenerator(o: PatternOptions, ffmpeg = 'ffmpeg'): Generator {
  const args = [...patternArgs(o), '-c:v', 'mjpeg', '-q:v', '6', '-f', 'mpjpeg', 'pipe:1'];
  return track(spawnTied(ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore'] }));
}
