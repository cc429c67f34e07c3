// Traffic cameras: a grid of the latest snapshot of each camera with a status badge. Snapshot
// events carry the image URL (never the JPEG); the new image is loaded off-screen and swapped in
// when complete, so a slow link shows the previous frame rather than a half-drawn one.
import { describe } from './air.ts';
import { list } from './api.ts';
import type { CityId } from './cities.ts';
import { fill, h, timeOf } from './dom.ts';
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
}

export class CameraPanel {
  readonly el: HTMLElement;
  private readonly grid = h('div', { class: 'camera-grid', 'data-testid': 'cameras' });
  private readonly note = h('p', { class: 'note' });
  private tiles = new Map<string, Tile>();
  private loadSeq = 0;
  private city: CityId | null = null;
  private refreshing: Promise<void> | null = null;

  private readonly onAdded: () => void;

  /** `onAdded` runs after cameras registered since the last load joined the grid. */
  constructor(onAdded: () => void = () => undefined) {
    this.onAdded = onAdded;
    this.el = h(
      'section',
      { class: 'panel cameras', id: 'cameras' },
      h('h2', {}, 'Traffic cameras'),
      this.note,
      this.grid,
    );
  }

  cameras(): Camera[] {
    return [...this.tiles.values()].map((t) => t.camera);
  }

  async load(city: CityId): Promise<void> {
    const seq = ++this.loadSeq;
    this.city = city;
    this.tiles.clear();
    fill(this.grid);
    this.note.textContent = 'Loading cameras…';
    try {
      const cameras = await list<Camera>(`/v1/cameras?city=${city}`);
      if (seq !== this.loadSeq) return;
      this.note.textContent = cameras.length ? '' : 'No cameras in this city yet.';
      for (const c of cameras) this.grid.append(this.tile(c));
    } catch (err) {
      if (seq === this.loadSeq) this.note.textContent = `Cameras unavailable: ${describe(err)}`;
    }
  }

  /**
   * A live event named a camera the grid does not show: it was registered after the list was
   * fetched (cameras start while the page loads, or staff add one). Fetch the list once more and
   * add what is new, keeping the tiles already shown.
   */
  private refreshForUnknown(): void {
    const city = this.city;
    if (!city || this.refreshing) return;
    const seq = this.loadSeq;
    this.refreshing = list<Camera>(`/v1/cameras?city=${city}`)
      .then((cameras) => {
        if (seq !== this.loadSeq) return;
        const added = cameras.filter((c) => !this.tiles.has(c.id));
        for (const c of added) this.grid.append(this.tile(c));
        if (this.tiles.size > 0) this.note.textContent = '';
        if (added.length > 0) this.onAdded();
      })
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = null;
      });
  }

  /** A live `city.camera.snapshot.v1`. */
  onSnapshot(snap: Snapshot): void {
    const tile = this.tiles.get(snap.cameraId);
    if (!tile) return this.refreshForUnknown();
    if (snap.sequence <= tile.sequence) return;
    tile.sequence = snap.sequence;
    // The event's URL names the frame on the ingest worker that took it, which may be another
    // host; every api process serves the camera's latest frame, so ask the page's own origin.
    const src = withVersion(snapshotPath(snap.cameraId), snap.etag || String(snap.sequence));
    const next = new Image();
    next.onload = () => {
      // A later frame may have been swapped in while this one loaded.
      if (tile.sequence !== snap.sequence) return;
      tile.img.src = src;
      tile.img.dataset.sequence = String(snap.sequence);
      tile.time.textContent = timeOf(snap.time);
    };
    next.src = src;
  }

  /** A live `city.camera.status.v1`. */
  onStatus(st: CameraStatus): void {
    const tile = this.tiles.get(st.cameraId);
    if (tile) setBadge(tile.badge, st.status, st.reason);
    else this.refreshForUnknown();
  }

  private tile(c: Camera): HTMLElement {
    const img = h('img', {
      class: 'snapshot',
      alt: `Latest snapshot of ${c.name}`,
      src: withVersion(snapshotPath(c.id), String(Date.now())),
      'data-camera': c.id,
      'data-sequence': '0',
      loading: 'lazy',
    });
    img.addEventListener('error', () => img.classList.add('missing'));
    img.addEventListener('load', () => img.classList.remove('missing'));
    const badge = h('span', { class: 'badge', 'data-field': 'status' });
    // `status` is null until the camera's worker reported one.
    const st = c.status;
    setBadge(badge, st?.status ?? 'starting', st?.reason);
    const time = h('span', { class: 'camera-time' });
    this.tiles.set(c.id, { camera: c, img, badge, time, sequence: 0 });
    return h(
      'figure',
      { class: 'camera', 'data-camera-tile': c.id },
      h('div', { class: 'snapshot-frame' }, img, badge),
      h('figcaption', {}, h('span', { class: 'camera-name' }, c.name), time),
    );
  }
}

function snapshotPath(id: string): string {
  return `/v1/cameras/${encodeURIComponent(id)}/snapshot.jpg`;
}

function withVersion(url: string, v: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}v=${encodeURIComponent(v)}`;
}

function setBadge(badge: HTMLElement, status: string, reason?: string): void {
  badge.textContent = status;
  badge.className = `badge status-${status}`;
  badge.dataset.status = status;
  badge.title = reason ?? status;
}
