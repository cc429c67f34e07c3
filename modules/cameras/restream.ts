// A camera's live restream while someone watches it: started by the first playlist request,
// kept running while playlist or segment requests keep coming (`touch`), stopped `idleMs` after the
// last one. Supervised like the snapshot pipeline: no segment within the stall window → ffmpeg is
// killed and restarted with exponential backoff and jitter; a restream whose first runs produce no
// segment (retried within seconds: a viewer is waiting) is an error, retried every `errorRetryMs`
// (± 25 %); the reason is ffmpeg's own words.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { maskUrlCredentials, type CameraConfig } from '../../core/events/cameras.ts';
import { backoffDelay, sleep } from '../../core/retry.ts';
import { buildRestreamCommand, PLAYLIST_NAME, SEGMENT_NAME } from './restream-command.ts';
import { RestreamPipeline, warmCapabilities, type RestreamExit } from './restream-pipeline.ts';

export type RestreamState = 'starting' | 'live' | 'stalled' | 'error' | 'stopped';

export interface RestreamSettings {
  ffmpegPath: string;
  statsPeriod: boolean;
  /** The restream's own directory (created on start, removed on stop). */
  dir: string;
  idleMs: number;
  encodeWidth: number;
  encodeFps: number;
  errorRetryMs: number;
  /** Time allowed for the first segment of a run (connect, probe, first key frame). */
  firstSegmentMs?: number;
  /** No new segment for this long: stalled. */
  stallMs?: number;
  restartBaseMs?: number;
}

export interface RestreamEvents {
  onSpawn?(pid: number | undefined): void;
  /** The restream ended (idle, or stopped by its worker): release what it holds. */
  onStopped(reason: string): void;
  onRestart?(): void;
}

/** Failed runs in a row after which a stalled restream counts as `error`. */
const FAILURES_BEFORE_ERROR = 5;
/** Runs that may fail before the first segment, retried within seconds, before `error`. */
const QUICK_FIRST_TRIES = 3;

export class Restream {
  private readonly abort = new AbortController();
  private readonly loopDone: Promise<void>;
  private pipeline: RestreamPipeline | null = null;
  private idleTimer: NodeJS.Timeout;
  private state_: RestreamState = 'starting';
  private reason_: string | undefined;
  private readonly waiters = new Set<() => void>();
  /** Recently requested segments, so many viewers of one camera cost one disk read each. */
  private readonly cache = new Map<string, Buffer>();
  private stopReason = 'stopped';

  readonly camera: CameraConfig;
  private readonly s: RestreamSettings;
  private readonly events: RestreamEvents;
  private readonly logger: Logger;

  constructor(camera: CameraConfig, settings: RestreamSettings, events: RestreamEvents, logger: Logger) {
    this.camera = camera;
    this.s = settings;
    this.events = events;
    this.logger = logger;
    this.idleTimer = setTimeout(() => void this.stop('no viewer'), settings.idleMs);
    this.loopDone = this.loop().catch((err: unknown) => {
      this.logger.error({ err }, 'live restream supervisor failed');
    });
  }

  get state(): RestreamState {
    return this.state_;
  }

  /** ffmpeg's reason for the last failure (credentials masked). */
  get reason(): string | undefined {
    return this.reason_;
  }

  /** A viewer asked for the playlist or a segment: postpone the idle stop. */
  touch(): void {
    this.idleTimer.refresh();
  }

  /** The current playlist; waits up to `waitMs` for the first one. Null: none yet (or failed). */
  async playlist(waitMs: number): Promise<Buffer | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      // A request waiting for the first segment is a viewer too: no idle stop meanwhile.
      this.touch();
      const body = await readFile(join(this.s.dir, PLAYLIST_NAME)).catch(() => null);
      if (body) return body;
      const left = deadline - Date.now();
      if (left <= 0 || this.state_ === 'error' || this.state_ === 'stopped') return null;
      // Woken by the next playlist write, or re-checked after a short while in any case.
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
  }

  /** A segment by name; null once it has rolled off (or for a name that is not a segment). */
  async segment(name: string): Promise<Buffer | null> {
    this.touch();
    if (!SEGMENT_NAME.test(name)) return null;
    const cached = this.cache.get(name);
    if (cached) return cached;
    const body = await readFile(join(this.s.dir, name)).catch(() => null);
    if (!body) return null;
    this.cache.set(name, body);
    // Keep about a playlist's worth: players fetch the newest segments.
    while (this.cache.size > 8) this.cache.delete(this.cache.keys().next().value!);
    return body;
  }

  /** Kills ffmpeg, waits for it to exit and removes the segments. Idempotent. */
  async stop(reason: string): Promise<void> {
    if (!this.abort.signal.aborted) {
      this.stopReason = reason;
      this.abort.abort();
      clearTimeout(this.idleTimer);
      this.logger.info({ reason }, 'live restream stopping');
    }
    await this.pipeline?.stop();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    let everLive = false;
    try {
      while (!signal.aborted) {
        // A run starts clean: the previous run's segments are not in its playlist.
        await rm(this.s.dir, { recursive: true, force: true });
        await mkdir(this.s.dir, { recursive: true });
        await warmCapabilities(this.s.ffmpegPath);
        if (signal.aborted) break;
        const exit = await this.runOnce(signal);
        if (signal.aborted) break;
        this.events.onRestart?.();
        everLive ||= exit.segments > 0;
        failures = exit.segments > 0 ? 1 : failures + 1;
        this.reason_ = maskUrlCredentials(exit.reason);
        let delay: number;
        if (!everLive && failures < QUICK_FIRST_TRIES) {
          // Someone is waiting for the first playlist: a source segment that rolled off under
          // load, or a camera that refused one connection, deserves another try at once.
          this.state_ = 'starting';
          delay = backoffDelay(failures - 1, this.s.restartBaseMs ?? 1_000, 4_000);
        } else if (!everLive || failures >= FAILURES_BEFORE_ERROR) {
          this.state_ = 'error';
          delay = Math.round(this.s.errorRetryMs * (0.75 + Math.random() * 0.5));
        } else {
          this.state_ = 'stalled';
          delay = backoffDelay(failures - 1, this.s.restartBaseMs ?? 1_000, this.s.errorRetryMs);
        }
        this.wake();
        this.logger.warn(
          { state: this.state_, reason: this.reason_, retryInMs: delay },
          'live restream ended',
        );
        await sleep(delay, signal);
      }
    } finally {
      this.state_ = 'stopped';
      this.wake();
      this.cache.clear();
      await rm(this.s.dir, { recursive: true, force: true }).catch(() => undefined);
      this.events.onStopped(this.stopReason);
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private runOnce(signal: AbortSignal): Promise<RestreamExit> {
    const plan = buildRestreamCommand(this.camera, {
      dir: this.s.dir,
      encodeWidth: this.s.encodeWidth,
      encodeFps: this.s.encodeFps,
      statsPeriod: this.s.statsPeriod,
    });
    // A polled JPEG camera delivers a frame (so a segment) per snapshot interval.
    const perSegment = this.camera.protocol === 'jpeg' ? this.camera.snapshotIntervalSeconds * 1000 : 1_000;
    const stallMs = Math.max(this.s.stallMs ?? 8_000, 4 * perSegment);
    const firstMs = Math.max(stallMs, this.s.firstSegmentMs ?? 20_000);
    return new Promise<RestreamExit>((resolve) => {
      let killReason: string | null = null;
      let segments = 0;
      const kill = (reason: string) => {
        killReason ??= reason;
        void pipeline.stop();
      };
      let timer = setTimeout(
        () => kill(`no segment within ${Math.round(firstMs / 1000)} s of starting ffmpeg`),
        firstMs,
      );
      const pipeline = new RestreamPipeline(this.s.ffmpegPath, plan, {
        onSegment: () => {
          segments++;
          if (segments === 1) {
            this.state_ = 'live';
            this.reason_ = undefined;
            clearTimeout(timer);
            timer = setTimeout(
              () => kill(`stalled: no segment for ${Math.round(stallMs / 1000)} s`),
              stallMs,
            );
          } else timer.refresh();
          this.wake();
        },
        onStart: (pid) => this.events.onSpawn?.(pid),
        onExit: (exit) => {
          clearTimeout(timer);
          resolve({ ...exit, reason: killReason ?? exit.reason });
        },
      });
      this.pipeline = pipeline;
      // stop() may have come between the check in loop() and this run's start.
      if (signal.aborted) void pipeline.stop();
    });
  }
}
