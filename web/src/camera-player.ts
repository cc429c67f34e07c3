// The enlarged view of a camera: its live restream (GET /v1/cameras/{id}/live.m3u8) in a video
// element, played with hls.js where Media Source Extensions exist, or natively where only the
// browser's own HLS does (older iPhones). It shows whether the picture is live, stalled or failed
// and how far behind the live edge it plays. When video cannot play (no MSE and no native HLS, or
// the restream keeps failing) it falls back to the camera's snapshot, refreshed every interval.
// Closing the view stops every request, so the worker's restream stops after its idle time.
// Loaded on demand (import()) so hls.js is not part of the page's first download; the styles are
// in camera-panel.css, imported by cameras.ts.
import Hls, { type ErrorData } from 'hls.js/light';
import { h, fill } from './dom.ts';
import { localName, t } from './i18n/index.ts';

export interface PlayableCamera {
  id: string;
  name: string;
  snapshotIntervalSeconds: number;
}

export type PlayerState = 'connecting' | 'live' | 'stalled' | 'error' | 'fallback';

/** Fatal errors within this window after which video is given up for snapshots. */
const GIVE_UP_AFTER = 4;
const ERROR_WINDOW_MS = 60_000;
/** The picture counts as stalled when playback time has not moved for this long. */
const STALL_MS = 3_000;

export function livePath(id: string): string {
  return `/v1/cameras/${encodeURIComponent(id)}/live.m3u8`;
}

export class CameraPlayer {
  readonly el: HTMLDialogElement;
  private readonly video = h('video', {
    class: 'camera-video',
    muted: true,
    autoplay: true,
    playsinline: true,
    'data-testid': 'camera-video',
  });
  private readonly stateBadge = h('span', { class: 'badge', 'data-field': 'live-state' });
  private readonly latency = h('span', { class: 'camera-latency', 'data-field': 'latency' });
  private readonly note = h('p', { class: 'note', role: 'status' });
  private readonly stage = h('div', { class: 'camera-stage' }, this.video);
  private hls: Hls | null = null;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private errors: number[] = [];
  private lastTime = -1;
  private lastProgressAt = performance.now();
  private closed = false;

  private readonly camera: PlayableCamera;
  private readonly onClosed: () => void;

  constructor(camera: PlayableCamera, onClosed: () => void = () => undefined) {
    this.camera = camera;
    this.onClosed = onClosed;
    // The video is muted (cameras have no sound, and muted video may autoplay everywhere).
    this.video.muted = true;
    const heading = h(
      'h2',
      { id: `player-title-${camera.id}` },
      t('cameras:player.title', { name: localName(camera) }),
    );
    const close = h('button', { type: 'button', class: 'player-close' }, t('cameras:player.close'));
    close.addEventListener('click', () => this.close());
    this.el = h(
      'dialog',
      {
        class: 'camera-player',
        'data-testid': 'camera-player',
        'data-camera': camera.id,
        'aria-labelledby': `player-title-${camera.id}`,
      },
      h('header', { class: 'player-header' }, heading, close),
      this.stage,
      h('div', { class: 'player-meta' }, this.stateBadge, this.latency),
      this.note,
    );
    this.el.addEventListener('close', () => this.close());
    // A click on the backdrop (outside the dialog's box) closes it, as people expect.
    this.el.addEventListener('click', (e) => {
      if (e.target === this.el) this.close();
    });
  }

  /** Shows the dialog and starts playing. */
  open(): void {
    document.body.append(this.el);
    this.el.showModal();
    this.setState('connecting');
    this.play();
    this.timers.push(setInterval(() => this.watch(), 500));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.hls?.destroy();
    this.hls = null;
    this.video.removeAttribute('src');
    this.video.load();
    if (this.el.open) this.el.close();
    this.el.remove();
    this.onClosed();
  }

  private play(): void {
    const src = livePath(this.camera.id);
    if (Hls.isSupported()) {
      const hls = new Hls({
        // The hub's CSP allows no blob: workers; 1 s segments transmux quickly on the main thread.
        enableWorker: false,
        // Start two segments (≈ 2 s) behind the live edge; jump ahead when more than five behind.
        liveSyncDurationCount: 2,
        liveMaxLatencyDurationCount: 5,
        // The first playlist request waits for the restream to start: give it time.
        manifestLoadPolicy: {
          default: {
            maxTimeToFirstByteMs: 15_000,
            maxLoadTimeMs: 20_000,
            timeoutRetry: { maxNumRetry: 2, retryDelayMs: 1_000, maxRetryDelayMs: 4_000 },
            errorRetry: { maxNumRetry: 4, retryDelayMs: 1_000, maxRetryDelayMs: 8_000 },
          },
        },
      });
      this.hls = hls;
      hls.on(Hls.Events.ERROR, (_e, data) => this.onHlsError(hls, data));
      hls.loadSource(src);
      hls.attachMedia(this.video);
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      this.video.src = src;
      this.video.addEventListener('error', () => this.failed('video error'));
    } else {
      this.fallback('no HLS support');
      return;
    }
    void this.video.play().catch(() => undefined);
  }

  private onHlsError(hls: Hls, data: ErrorData): void {
    if (!data.fatal) return;
    this.setState('error');
    if (!this.failed(data.details)) return;
    // After an ownership move the playlist answers again within the rebalance time: reload it.
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    else setTimeout(() => !this.closed && hls.loadSource(livePath(this.camera.id)), 2_000);
  }

  /** Counts a fatal error; false when there were too many and the snapshots took over. */
  private failed(reason: string): boolean {
    const now = performance.now();
    this.errors = [...this.errors.filter((at) => now - at < ERROR_WINDOW_MS), now];
    if (this.errors.length < GIVE_UP_AFTER) return true;
    this.fallback(reason);
    return false;
  }

  /** Every half second: is playback time moving, and how far behind live is it? */
  private watch(): void {
    if (this.el.dataset.state === 'fallback') return;
    const now = performance.now();
    const current = this.video.currentTime;
    if (current !== this.lastTime) {
      this.lastTime = current;
      this.lastProgressAt = now;
      if (current > 0 && !this.video.paused) this.setState('live');
    } else if (this.el.dataset.state === 'live' && now - this.lastProgressAt > STALL_MS) {
      this.setState('stalled');
    }
    const behind = this.hls ? this.hls.latency : this.nativeLatency();
    if (Number.isFinite(behind) && behind > 0 && this.el.dataset.state !== 'connecting') {
      this.latency.textContent = t('cameras:player.behind', { seconds: behind.toFixed(1) });
      this.latency.dataset.seconds = behind.toFixed(2);
    }
  }

  private nativeLatency(): number {
    const s = this.video.seekable;
    return s.length ? s.end(s.length - 1) - this.video.currentTime : NaN;
  }

  private setState(state: PlayerState): void {
    if (this.el.dataset.state === state) return;
    this.el.dataset.state = state;
    const shown = state === 'fallback' ? 'error' : state;
    this.stateBadge.textContent = t(`cameras:player.${shown}`);
    this.stateBadge.className = `badge status-${state === 'live' ? 'online' : shown}`;
    this.stateBadge.dataset.status = state;
  }

  /** Video cannot play: the snapshot, refreshed every interval, instead. */
  private fallback(reason: string): void {
    this.hls?.destroy();
    this.hls = null;
    this.setState('fallback');
    this.latency.textContent = '';
    this.note.textContent = t('cameras:player.fallback', { reason });
    const img = h('img', {
      class: 'camera-video',
      alt: t('cameras:player.snapshotAlt', { name: localName(this.camera) }),
      'data-testid': 'camera-fallback',
    });
    const snapshot = `/v1/cameras/${encodeURIComponent(this.camera.id)}/snapshot.jpg`;
    const refresh = () => (img.src = `${snapshot}?v=${Date.now()}`);
    refresh();
    fill(this.stage, img);
    this.timers.push(setInterval(refresh, Math.max(1, this.camera.snapshotIntervalSeconds) * 1000));
  }
}
