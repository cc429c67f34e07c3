// Keeps one camera's ffmpeg running and says how it is doing.
//   online   frames are arriving;
//   stalled  it was producing frames and stopped (no frame within the stall window, or the source
//            ended): ffmpeg is killed and restarted with exponential backoff and jitter;
//   error    ffmpeg failed before any frame (bad URL, unreachable host, garbage, unknown codec), or
//            a stalled camera kept failing: retried only every `errorRetryMs` — never a hot loop;
//            a source that merely ended before its first frame (ffmpeg exit 0, no error: a live
//            playlist between publishers, as when a camera's worker moves) is retried with the
//            stall backoff first, and is an error only after FAILURES_BEFORE_ERROR such runs;
//   offline  this worker stopped running the camera (disabled, removed, or shutting down).
import type { Logger } from 'pino';
import { maskUrlCredentials, type CameraConfig, type CameraStatus } from '../../core/events/cameras.ts';
import { backoffDelay, sleep } from '../../core/retry.ts';
import { buildCommand, samplePeriodSeconds } from './command.ts';
import type { ProcessLimiter } from './limiter.ts';
import { Pipeline, type PipelineExit } from './pipeline.ts';

export type Status = CameraStatus['status'];

export interface SupervisorSettings {
  ffmpegPath: string;
  /** The binary accepts `-stats_period`. */
  statsPeriod?: boolean;
  maxWidth: number;
  /** Snapshot intervals without a frame before the camera counts as stalled. */
  stallIntervals: number;
  errorRetryMs: number;
  /** Lower bound of the stall window (HLS delivers a whole segment at a time). */
  minStallMs?: number;
  /** Time allowed for the first frame of a run (connect, probe, first key frame). */
  firstFrameMs?: number;
  /** Base of the restart backoff after a stall. */
  restartBaseMs?: number;
}

export interface SampleWindow {
  /** ffmpeg CPU seconds per snapshot over the window (decode, scale, encode). */
  cpuSecondsPerSnapshot: number | null;
  inputBitsPerSecond: number | null;
  uptimeSeconds: number;
  /** Snapshots produced over the window. */
  snapshots: number;
}

export interface SupervisorEvents {
  onFrame(jpeg: Buffer): void;
  onStatus(status: Status, reason: string | undefined): void;
  onRestart(): void;
  onSample(sample: SampleWindow): void;
  /** A new ffmpeg process was started (for process-count accounting in tests and metrics). */
  onSpawn?(pid: number | undefined): void;
}

/** Failed attempts in a row after which a stalled camera is reported as `error`. */
const FAILURES_BEFORE_ERROR = 5;

interface RunResult {
  exit: PipelineExit;
  /** The key-frame-only decode yields fewer snapshots than the interval asks for. */
  gopTooLong: boolean;
}

export class CameraSupervisor {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private pipeline: Pipeline | null = null;
  private current: { status: Status; reason: string | undefined } | null = null;
  private everOnline = false;
  /** Key frames only, until a run shows the stream's key frames are too far apart. */
  private keyframesOnly: boolean;

  readonly camera: CameraConfig;
  private readonly limiter: ProcessLimiter;
  private readonly settings: SupervisorSettings;
  private readonly events: SupervisorEvents;
  private readonly logger: Logger;

  constructor(
    camera: CameraConfig,
    limiter: ProcessLimiter,
    settings: SupervisorSettings,
    events: SupervisorEvents,
    logger: Logger,
  ) {
    this.camera = camera;
    this.limiter = limiter;
    this.settings = settings;
    this.events = events;
    this.logger = logger;
    this.keyframesOnly = camera.protocol === 'hls' || camera.protocol === 'rtsp';
  }

  get status(): Status | null {
    return this.current?.status ?? null;
  }

  get decodesKeyframesOnly(): boolean {
    return this.keyframesOnly;
  }

  start(): void {
    this.running ??= this.loop().catch((err: unknown) => {
      this.logger.error({ err }, 'camera supervisor failed');
    });
  }

  /** Kills ffmpeg, waits for it to exit and reports `offline` with the reason. */
  async stop(reason: string): Promise<void> {
    this.abort.abort();
    await this.pipeline?.stop();
    await this.running;
    this.setStatus('offline', reason);
  }

  private setStatus(status: Status, reason: string | undefined): void {
    if (this.current?.status === status && this.current.reason === reason) return;
    if (this.current?.status === status && status !== 'error') return;
    this.current = { status, reason };
    this.events.onStatus(status, reason);
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      if (!(await this.limiter.acquire(signal))) return;
      let result: RunResult;
      try {
        result = await this.runOnce(signal);
      } finally {
        this.limiter.release();
      }
      if (signal.aborted) return;
      if (result.gopTooLong) {
        this.keyframesOnly = false;
        this.logger.info({}, 'key frames are further apart than the snapshot interval: decoding every frame');
        continue;
      }
      this.events.onRestart();
      failures = result.exit.frames > 0 ? 1 : failures + 1;
      const { reason } = result.exit;
      let delay: number;
      const backoff = () =>
        backoffDelay(failures - 1, this.settings.restartBaseMs ?? 1_000, this.settings.errorRetryMs);
      if (failures >= FAILURES_BEFORE_ERROR || (!this.everOnline && !result.exit.clean)) {
        this.setStatus('error', reason);
        delay = Math.round(this.settings.errorRetryMs * (0.75 + Math.random() * 0.5));
      } else if (!this.everOnline) {
        // Nothing failed, there was just nothing yet: no status to report, try again soon.
        delay = backoff();
      } else {
        this.setStatus('stalled', reason);
        delay = backoff();
      }
      this.logger.warn(
        { status: this.current?.status, reason: maskUrlCredentials(reason), retryInMs: delay },
        'camera pipeline ended',
      );
      await sleep(delay, signal);
    }
  }

  private runOnce(signal: AbortSignal): Promise<RunResult> {
    const interval = this.camera.snapshotIntervalSeconds * 1000;
    const stallMs = Math.max(this.settings.stallIntervals * interval, this.settings.minStallMs ?? 8_000);
    const firstFrameMs = Math.max(stallMs, this.settings.firstFrameMs ?? 20_000);
    const plan = buildCommand(this.camera, {
      maxWidth: this.settings.maxWidth,
      keyframesOnly: this.keyframesOnly,
      statsPeriod: this.settings.statsPeriod ?? false,
    });
    return new Promise<RunResult>((resolve) => {
      let frames = 0;
      let onlineAt = 0;
      let killReason: string | null = null;
      let gopTooLong = false;
      let inputBytes = 0;
      let window = { at: performance.now(), frames: 0, bytes: 0, cpu: null as number | null };

      const kill = (reason: string) => {
        if (killReason) return;
        killReason = reason;
        void pipeline.stop();
      };
      let stallTimer = setTimeout(
        () => kill(`no frame within ${Math.round(firstFrameMs / 1000)} s of starting ffmpeg`),
        firstFrameMs,
      );
      const sampleEvery = samplePeriodSeconds(this.camera.snapshotIntervalSeconds) * 1000;

      const sample = () => {
        const now = performance.now();
        const cpu = pipeline.cpuSeconds();
        const dt = (now - window.at) / 1000;
        const df = frames - window.frames;
        const cpuPerSnapshot = cpu !== null && window.cpu !== null && df > 0 ? (cpu - window.cpu) / df : null;
        this.events.onSample({
          cpuSecondsPerSnapshot: cpuPerSnapshot,
          inputBitsPerSecond:
            dt > 0 && inputBytes >= window.bytes ? ((inputBytes - window.bytes) * 8) / dt : null,
          uptimeSeconds: onlineAt ? (now - onlineAt) / 1000 : 0,
          snapshots: df,
        });
        window = { at: now, frames, bytes: inputBytes, cpu };
        // Key-frame-only decode: judged over ten intervals so HLS's segment bursts average out.
        if (this.keyframesOnly && onlineAt && now - onlineAt > 10 * interval + sampleEvery) {
          const expected = (now - onlineAt) / interval;
          if (frames < 0.6 * expected) {
            gopTooLong = true;
            kill('key frames too far apart for the snapshot interval');
          }
        }
      };

      const pipeline = new Pipeline(this.settings.ffmpegPath, plan, {
        onFrame: (jpeg) => {
          if (killReason) return;
          frames++;
          if (frames === 1) {
            onlineAt = performance.now();
            this.everOnline = true;
            this.setStatus('online', undefined);
            // From now on the stall window applies instead of the first-frame allowance.
            clearTimeout(stallTimer);
            stallTimer = setTimeout(
              () => kill(`stalled: no frame for ${Math.round(stallMs / 1000)} s`),
              stallMs,
            );
          } else {
            // Re-arm the same timer: no new timer object per snapshot.
            stallTimer.refresh();
          }
          this.events.onFrame(jpeg);
        },
        onStart: (pid) => {
          window.cpu = pipeline.cpuSeconds();
          this.events.onSpawn?.(pid);
        },
        onInputBytes: (bytes) => {
          inputBytes = bytes;
          // ffmpeg's progress line is the sample clock (one per sample period where it takes
          // -stats_period, else every 0.5 s): no timer wakes the process for the samples. A line
          // a little early (ffmpeg's clock against ours) still counts; a stalled ffmpeg sends
          // none, and the stall timer ends it.
          if (performance.now() - window.at >= 0.9 * sampleEvery) sample();
        },
        onExit: (exit) => {
          clearTimeout(stallTimer);
          resolve({
            exit: {
              ...exit,
              frames,
              stopped: signal.aborted,
              reason: killReason ?? exit.reason,
            },
            gopTooLong,
          });
        },
      });
      this.pipeline = pipeline;
    });
  }
}
