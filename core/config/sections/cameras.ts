// Camera ingestion settings: where cameras come from, how many ffmpeg processes may run at once,
// how stalls are detected, and where snapshots are kept and announced.
import { documented, flag, httpUrl, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

export const cameraVariables = {
  CITYSTREAM_CAMERAS_FILE: documented(optionalString, {
    description: 'cameras published to the registry at start-up (see docs/cameras.md)',
    type: 'path of a JSON array of cameras',
    default: 'none',
  }),
  CITYSTREAM_CAMERAS_DEMO: documented(flag, {
    description:
      'in demo mode, run the demo cameras (three ffmpeg sources and their pipelines, about a fifth of a core); off: the demo without cameras',
    default: 'on',
  }),
  CITYSTREAM_CAMERAS_MAX_PROCESSES: positiveInt(32, 'ffmpeg processes this worker may run at once'),
  CITYSTREAM_CAMERAS_MAX_WIDTH: positiveInt(1280, 'default snapshot width limit in pixels'),
  CITYSTREAM_CAMERAS_RETENTION: positiveInt(30, 'snapshots kept on disk per camera'),
  CITYSTREAM_CAMERAS_STALL_INTERVALS: positiveInt(
    5,
    'snapshot intervals without a frame before a camera counts as stalled',
  ),
  CITYSTREAM_CAMERAS_ERROR_RETRY_SECONDS: positiveInt(
    60,
    'seconds a camera in error waits before the next attempt',
  ),
  CITYSTREAM_CAMERAS_LIVE_IDLE_SECONDS: positiveInt(
    30,
    'seconds a live restream keeps running after its last playlist or segment request',
  ),
  CITYSTREAM_CAMERAS_LIVE_MAX_ENCODERS: positiveInt(
    2,
    'live restreams this worker may encode at once (MJPEG and JPEG sources; H.264 is copied)',
  ),
  CITYSTREAM_CAMERAS_LIVE_ENCODE_WIDTH: positiveInt(960, 'width limit in pixels of encoded live restreams'),
  CITYSTREAM_CAMERAS_LIVE_ENCODE_FPS: positiveInt(10, 'frame rate limit of encoded live restreams'),
  CITYSTREAM_CAMERAS_ADVERTISED_URL: documented(
    httpUrl('the base URL other processes use to fetch this worker’s snapshots, e.g. http://ingest-1:8080'),
    { default: '`http://<hostname>:<port>`' },
  ),
  CITYSTREAM_FFMPEG_PATH: documented(optionalString, {
    description: 'ffmpeg binary',
    type: 'path',
    default: '`ffmpeg` on PATH, else `@ffmpeg-installer/ffmpeg`',
  }),
};

export type CameraVariables = Parsed<typeof cameraVariables>;

export interface CamerasConfig {
  /** JSON file with an array of cameras, published to the registry at start-up. */
  file: string | null;
  /** In demo mode, whether the demo cameras run (CITYSTREAM_CAMERAS_DEMO, default on). */
  demo: boolean;
  maxProcesses: number;
  maxWidth: number;
  retention: number;
  stallIntervals: number;
  errorRetryMs: number;
  /** Live restreams: idle stop, encoder cap and the encoded picture's bounds. */
  live: { idleMs: number; maxEncoders: number; encodeWidth: number; encodeFps: number };
  /** null: http://<hostname>:<port> of this process. */
  advertisedUrl: string | null;
  /** null: `ffmpeg` on PATH, else the binary of @ffmpeg-installer/ffmpeg. */
  ffmpegPath: string | null;
}

export function camerasSection(v: CameraVariables): CamerasConfig {
  return {
    file: v.CITYSTREAM_CAMERAS_FILE ?? null,
    demo: v.CITYSTREAM_CAMERAS_DEMO ?? true,
    maxProcesses: v.CITYSTREAM_CAMERAS_MAX_PROCESSES,
    maxWidth: v.CITYSTREAM_CAMERAS_MAX_WIDTH,
    retention: v.CITYSTREAM_CAMERAS_RETENTION,
    stallIntervals: v.CITYSTREAM_CAMERAS_STALL_INTERVALS,
    errorRetryMs: v.CITYSTREAM_CAMERAS_ERROR_RETRY_SECONDS * 1000,
    live: {
      idleMs: v.CITYSTREAM_CAMERAS_LIVE_IDLE_SECONDS * 1000,
      maxEncoders: v.CITYSTREAM_CAMERAS_LIVE_MAX_ENCODERS,
      encodeWidth: v.CITYSTREAM_CAMERAS_LIVE_ENCODE_WIDTH,
      encodeFps: v.CITYSTREAM_CAMERAS_LIVE_ENCODE_FPS,
    },
    advertisedUrl: v.CITYSTREAM_CAMERAS_ADVERTISED_URL?.replace(/\/+$/, '') ?? null,
    ffmpegPath: v.CITYSTREAM_FFMPEG_PATH ?? null,
  };
}
