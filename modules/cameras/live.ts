// The live restreams of one ingest worker: at most one per camera it runs, started by the first
// playlist request and gone after the idle time. Encoding restreams (MJPEG, JPEG sources) are
// capped by `maxEncoders`; past the cap a viewer gets 503 with Retry-After rather than a queue
// position, because a player cannot wait minutes for a playlist. Copy restreams are bounded by the
// cameras the worker runs (one each).
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LiveFile } from '../../core/domain/local-cameras.ts';
import type { CameraConfig } from '../../core/events/cameras.ts';
import { HttpProblem } from '../../core/http/problem.ts';
import { needsEncoder, PLAYLIST_NAME } from './restream-command.ts';
import { Restream, type RestreamSettings } from './restream.ts';

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_TYPE = 'video/mp2t';
/** Segment names never repeat (epoch-numbered), so a segment URL's bytes never change. */
export const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
/** How long the first playlist request waits for the restream's first segment. */
const FIRST_PLAYLIST_WAIT_MS = 10_000;

export interface LiveSettings extends Omit<RestreamSettings, 'dir'> {
  /** Parent of the per-camera restream directories. */
  dir: string;
  maxEncoders: number;
}

export interface LiveCounters {
  onSpawn?(pid: number | undefined): void;
  onChange?(restreams: number, encoders: number): void;
  onRestart?(camera: string): void;
}

const unavailable = (detail: string, retryAfterSeconds: number) =>
  new HttpProblem(503, 'Service Unavailable', detail, { retryAfterSeconds });

export class LiveRestreams {
  private readonly restreams = new Map<string, Restream>();
  private encoders = 0;
  private stopping = false;

  private readonly s: LiveSettings;
  private readonly counters: LiveCounters;
  private readonly logger: Logger;

  constructor(settings: LiveSettings, counters: LiveCounters, logger: Logger) {
    this.s = settings;
    this.counters = counters;
    this.logger = logger;
  }

  get running(): number {
    return this.restreams.size;
  }

  get encoding(): number {
    return this.encoders;
  }

  /** The camera's restream state, for tests and diagnostics. */
  state(cameraId: string): Restream['state'] | null {
    return this.restreams.get(cameraId)?.state ?? null;
  }

  /**
   * `index.m3u8` (starting the restream when needed) or a segment of a camera this worker runs.
   * Throws 503 (with ffmpeg's reason) when the restream cannot produce a playlist.
   */
  async file(camera: CameraConfig, file: string): Promise<LiveFile | null> {
    if (file === PLAYLIST_NAME) {
      const restream = this.restreams.get(camera.id) ?? this.start(camera);
      const body = await restream.playlist(FIRST_PLAYLIST_WAIT_MS);
      if (!body) {
        const why = restream.reason ? `: ${restream.reason}` : '';
        throw unavailable(`the live stream of camera ${camera.id} is not playing yet${why}`, 2);
      }
      return { body, contentType: PLAYLIST_TYPE, cacheControl: 'no-cache' };
    }
    const restream = this.restreams.get(camera.id);
    const body = restream ? await restream.segment(file) : null;
    return body ? { body, contentType: SEGMENT_TYPE, cacheControl: SEGMENT_CACHE } : null;
  }

  private start(camera: CameraConfig): Restream {
    if (this.stopping) throw unavailable('this ingest worker is stopping', 2);
    const encodes = needsEncoder(camera.protocol);
    if (encodes && this.encoders >= this.s.maxEncoders)
      throw unavailable(
        `all ${this.s.maxEncoders} live encoders of this worker are busy (MJPEG and JPEG cameras are encoded); try again later`,
        30,
      );
    if (encodes) this.encoders++;
    const restream: Restream = new Restream(
      camera,
      { ...this.s, dir: join(this.s.dir, camera.id) },
      {
        onSpawn: (pid) => this.counters.onSpawn?.(pid),
        onRestart: () => this.counters.onRestart?.(camera.id),
        onStopped: (reason) => {
          if (this.restreams.get(camera.id) === restream) this.restreams.delete(camera.id);
          if (encodes) this.encoders--;
          this.logger.info({ camera: camera.id, reason }, 'live restream stopped');
          this.counters.onChange?.(this.restreams.size, this.encoders);
        },
      },
      this.logger.child({ camera: camera.id, live: true }),
    );
    this.restreams.set(camera.id, restream);
    this.logger.info({ camera: camera.id, encodes }, 'live restream started');
    this.counters.onChange?.(this.restreams.size, this.encoders);
    return restream;
  }

  /** Stops the camera's restream (the camera stopped here, moved, or changed). */
  async stopCamera(cameraId: string, reason: string): Promise<void> {
    await this.restreams.get(cameraId)?.stop(reason);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.restreams.values()].map((r) => r.stop('ingest worker stopped')));
  }
}
