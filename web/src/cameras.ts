// Traffic cameras: a grid of the latest snapshot of each camera with a status badge. Snapshot
// events carry the image URL (never the JPEG); the new image is loaded off-screen and swapped in
// when complete, so a slow link shows the previous frame rather than a half-drawn one. A tile
// scrolled out of view downloads nothing (IntersectionObserver) and catches up when it returns,
// which also spares a phone's data. A tile opens the live player (camera-player.ts).
import { describe } from './air.ts';
import { list } from './api.ts';
import type { CameraPlayer } from './camera-player.ts';
// The player's styles ship with the page; its code (hls.js) is fetched when a camera is opened.
import './camera-panel.css';
import { Freshness } from './camera-freshness.ts';
import type { CityId } from './cities.ts';
import { coalesced } from './coalesce.ts';
import { fill, h } from './dom.ts';
import { formatAgo, localName, t } from './i18n/index.ts';
import type { z } from 'zod';
import type { CameraSnapshot, CameraStatus } from '../../core/events/cameras.ts';
import type { cameraView } from '../../modules/cameras/index.ts';

// API shapes come from the server's schemas; type-only imports, so no server code is bundled.
export type Camera = z.output<typeof cameraView>;
export type Snapshot = CameraSnapshot;
export type { CameraStatus };

interface Tile {
  camera: Camera;
  img: HTMLImageElement;
  badge: HTMLElement;
  time: HTMLElement;
  sequence: number;
  /** The worker's status; the badge may show "stale" on top of `online`. */
  status: string;
  reason: string | undefined;
  /** When that status began (ms; 0 while none is known): an older report never replaces it. */
  statusSince: number;
  visible: boolean;
  /** The newest snapshot announced while the tile was off-screen. */
  pending: Snapshot | null;
  freshness: Freshness;
}

/** How often the "last update" texts and stale badges are brought up to date. */
const TICK_MS = 1_000;

export class CameraPanel {
  readonly el: HTMLElement;
  private readonly grid = h('div', { class: 'camera-grid', 'data-testid': 'cameras' });
  private readonly note = h('p', { class: 'note' });
  private tiles = new Map<string, Tile>();
  private loadSeq = 0;
  private city: CityId | null = null;
  /** Statuses of cameras the grid does not show yet, applied when their tiles are made. */
  private readonly early = new Map<string, CameraStatus>();
  private readonly observer: IntersectionObserver | null;
  private player: CameraPlayer | null = null;

  private readonly onAdded: () => void;

  /** `onAdded` runs after cameras registered since the last load joined the grid. */
  constructor(onAdded: () => void = () => undefined) {
    this.onAdded = onAdded;
    this.el = h(
      'section',
      { class: 'panel cameras', id: 'cameras' },
      h('h2', {}, t('cameras:title')),
      this.note,
      this.grid,
    );
    this.observer =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver((entries) => {
            for (const e of entries) {
              const id = (e.target as HTMLElement).dataset.cameraTile;
              const tile = id ? this.tiles.get(id) : undefined;
              if (!tile) continue;
              tile.visible = e.isIntersecting;
              if (tile.visible && tile.pending) this.show(tile, tile.pending);
            }
          });
    setInterval(() => this.tick(), TICK_MS);
  }

  /** A camera of the city shown, by id. */
  camera(id: string): Camera | undefined {
    return this.tiles.get(id)?.camera;
  }

  cameras(): Camera[] {
    return [...this.tiles.values()].map((t) => t.camera);
  }

  async load(city: CityId): Promise<void> {
    const seq = ++this.loadSeq;
    this.city = city;
    this.tiles.clear();
    this.early.clear();
    this.observer?.disconnect();
    fill(this.grid);
    this.note.textContent = t('cameras:loading');
    try {
      const cameras = await list<Camera>(`/v1/cameras?city=${city}`);
      if (seq !== this.loadSeq) return;
      this.merge(cameras);
      if (this.tiles.size === 0) this.note.textContent = t('cameras:none');
    } catch (err) {
      if (seq === this.loadSeq) this.note.textContent = t('cameras:unavailable', { reason: describe(err) });
    }
  }

  /**
   * Fetches the city's cameras again and merges them into the grid: new cameras join, known ones
   * take the listed status when it is newer than the one shown, nothing is redrawn. Used when a
   * live event names a camera the grid does not show (registered after the list was fetched) and
   * once the live subscription is confirmed, since a status published between the first list and
   * that confirmation reaches the page by neither path.
   */
  readonly refresh = coalesced(async () => {
    const city = this.city;
    const seq = this.loadSeq;
    if (!city) return;
    const cameras = await list<Camera>(`/v1/cameras?city=${city}`);
    if (seq === this.loadSeq && this.merge(cameras) > 0) this.onAdded();
  });

  /** Adds the cameras not shown and applies newer statuses to the others; returns how many joined. */
  private merge(cameras: Camera[]): number {
    let added = 0;
    for (const c of cameras) {
      const tile = this.tiles.get(c.id);
      if (!tile) {
        this.grid.append(this.tile(c));
        added++;
      } else if (c.status && this.applyStatus(tile, c.status)) this.render(tile);
    }
    if (this.tiles.size > 0) this.note.textContent = '';
    return added;
  }

  /** Takes `st` unless the tile already shows a later one; says whether it changed anything. */
  private applyStatus(tile: Tile, st: Pick<CameraStatus, 'status' | 'reason' | 'since'>): boolean {
    const since = Date.parse(st.since);
    if (since < tile.statusSince) return false;
    const changed = tile.status !== st.status || tile.reason !== st.reason;
    tile.status = st.status;
    tile.reason = st.reason;
    tile.statusSince = since;
    return changed;
  }

  /** A live `city.camera.snapshot.v1`. */
  onSnapshot(snap: Snapshot): void {
    const tile = this.tiles.get(snap.cameraId);
    if (!tile) return void this.refresh();
    if (snap.sequence <= tile.sequence) return;
    tile.sequence = snap.sequence;
    // The snapshot exists whether or not it is downloaded: the badge is about the camera. Its
    // arrival on this clock, not the worker's timestamp: the two clocks may disagree.
    tile.freshness.seen(Date.now());
    this.render(tile);
    if (tile.visible || !this.observer) this.show(tile, snap);
    else tile.pending = snap;
  }

  /** Downloads the snapshot and swaps it in once complete. */
  private show(tile: Tile, snap: Snapshot): void {
    tile.pending = null;
    // The event's URL names the frame on the ingest worker that took it, which may be another
    // host; every api process serves the camera's latest frame, so ask the page's own origin.
    const src = withVersion(snapshotPath(snap.cameraId), snap.etag || String(snap.sequence));
    const next = new Image();
    next.onload = () => {
      // A later frame may have been swapped in while this one loaded.
      if (tile.sequence !== snap.sequence) return;
      tile.img.src = src;
      tile.img.dataset.sequence = String(snap.sequence);
    };
    next.src = src;
  }

  /** A live `city.camera.status.v1`. */
  onStatus(st: CameraStatus): void {
    const tile = this.tiles.get(st.cameraId);
    if (!tile) {
      // Kept for the tile: the list that brings the camera may have been read before this event.
      // A camera's events arrive in order, so the last one kept is its latest.
      this.early.set(st.cameraId, st);
      return void this.refresh();
    }
    if (this.applyStatus(tile, st)) this.render(tile);
  }

  private tick(): void {
    for (const tile of this.tiles.values()) this.render(tile);
  }

  /** Badge (the worker's status, or "stale" when snapshots stopped coming) and "last update". */
  private render(tile: Tile): void {
    const now = Date.now();
    const stale = tile.status === 'online' && tile.freshness.isStale(now);
    const status = stale ? 'stale' : tile.status;
    const reason = stale
      ? t('cameras:staleReason', {
          seconds: Math.round(tile.freshness.ageMs(now)! / 1000),
          interval: tile.camera.snapshotIntervalSeconds,
        })
      : tile.reason;
    setBadge(tile.badge, status, reason);
    const last = tile.freshness.last;
    const text =
      last === null ? t('cameras:noUpdate') : t('cameras:lastUpdate', { ago: formatAgo(last, now) });
    if (tile.time.textContent !== text) tile.time.textContent = text;
    if (last !== null) tile.time.dataset.ageSeconds = String(Math.max(0, Math.round((now - last) / 1000)));
  }

  private async openPlayer(c: Camera): Promise<void> {
    this.player?.close();
    const { CameraPlayer } = await import('./camera-player.ts');
    const player = new CameraPlayer(c, () => {
      if (this.player === player) this.player = null;
    });
    this.player = player;
    player.open();
  }

  private tile(c: Camera): HTMLElement {
    const img = h('img', {
      class: 'snapshot',
      // Decorative inside its button, whose text names the camera.
      alt: '',
      src: withVersion(snapshotPath(c.id), String(Date.now())),
      'data-camera': c.id,
      'data-sequence': '0',
      loading: 'lazy',
    });
    img.addEventListener('error', () => img.classList.add('missing'));
    img.addEventListener('load', () => img.classList.remove('missing'));
    const badge = h('span', { class: 'badge', 'data-field': 'status' });
    const time = h('span', { class: 'camera-time', 'data-field': 'last-update' });
    const freshness = new Freshness(c.snapshotIntervalSeconds);
    if (c.latestSnapshot) freshness.seen(Date.parse(c.latestSnapshot.time));
    // `status` is null until the camera's worker reported one.
    const tile: Tile = {
      camera: c,
      img,
      badge,
      time,
      sequence: 0,
      status: 'starting',
      reason: undefined,
      statusSince: 0,
      visible: false,
      pending: null,
      freshness,
    };
    if (c.status) this.applyStatus(tile, c.status);
    const early = this.early.get(c.id);
    if (early) {
      this.early.delete(c.id);
      this.applyStatus(tile, early);
    }
    this.tiles.set(c.id, tile);
    this.render(tile);
    const open = h(
      'button',
      { type: 'button', class: 'snapshot-open' },
      // The name comes from the content ("Watch … live" + the status badge), so what a sighted
      // person reads on the button is always part of what a screen reader announces.
      h('span', { class: 'visually-hidden' }, t('cameras:open', { name: localName(c) })),
      h('div', { class: 'snapshot-frame' }, img, badge),
    );
    open.addEventListener('click', () => void this.openPlayer(c));
    const el = h(
      'figure',
      { class: 'camera', 'data-camera-tile': c.id },
      open,
      h('figcaption', {}, h('span', { class: 'camera-name' }, localName(c)), time),
    );
    this.observer?.observe(el);
    return el;
  }
}

function snapshotPath(id: string): string {
  return `/v1/cameras/${encodeURIComponent(id)}/snapshot.jpg`;
}

function withVersion(url: string, v: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}v=${encodeURIComponent(v)}`;
}

function setBadge(badge: HTMLElement, status: string, reason?: string): void {
  const text = t(`cameras:status.${status}`);
  badge.title = reason ?? text;
  if (badge.dataset.status === status && badge.textContent === text) return;
  badge.textContent = text;
  badge.className = `badge status-${status}`;
  badge.dataset.status = status;
}
