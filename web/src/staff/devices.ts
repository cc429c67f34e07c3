// Cameras and stations in the console: per city, each camera with its live status (the worker's
// reason when it failed, which worker runs it, the last snapshot), each station with its last
// reading; add, edit, disable and delete with the hub's validation shown under the fields, and a
// camera's recent pipeline metrics as a chart. Live over cameras:city:{c} and air:city:{c}.
import type { StreamClient } from '../../../stream/client/index.ts';
import { cityOptions } from '../cities.ts';
import { coalesced } from '../coalesce.ts';
import { fill, h, type Child } from '../dom.ts';
import { formatAgo, localName, t } from '../i18n/index.ts';
import { showCameraMetrics } from './camera-metrics.ts';
import { deviceForm, type DeviceKind } from './device-form.ts';
import { call } from './http.ts';

interface CameraRow {
  id: string;
  name: string;
  names?: Record<string, string>;
  city: string;
  lat: number;
  lon: number;
  url?: string;
  snapshotIntervalSeconds: number;
  enabled: boolean;
  status: { status: string; reason?: string; since: string; worker?: string } | null;
  latestSnapshot: { time: string } | null;
}

interface StationRow {
  id: string;
  name: string;
  names: Record<string, string>;
  city: string;
  lat: number;
  lon: number;
  enabled: boolean;
}

export class DevicesView {
  readonly el: HTMLElement;
  private readonly city = h('select', { name: 'city' }, ...cityOptions());
  private readonly cameraList = h('ul', { class: 'staff-list staff-devices', 'data-list': 'cameras' });
  private readonly stationList = h('ul', { class: 'staff-list staff-devices', 'data-list': 'stations' });
  /** The add/edit form, or the metrics chart, of what was picked. */
  private readonly side = h('section', { class: 'panel staff-device-side' }, t('staff:devices.pick'));
  private readonly message = h('p', { class: 'staff-message', role: 'status', 'aria-live': 'polite' });
  private cameras: CameraRow[] = [];
  private stations: StationRow[] = [];
  /** The last reading per station, from the live channel (the list itself has none). */
  private readonly lastReading = new Map<string, string>();
  private unsubscribe: () => void = () => undefined;
  private readonly live: StreamClient;
  /** Counts loads: an answer to an older one (another city, a reload since) is dropped. */
  private loadSeq = 0;
  /** Statuses of cameras not listed yet (registered after the list was read), the latest each. */
  private readonly early = new Map<string, NonNullable<CameraRow['status']>>();
  /** Reads the camera list again (subscription confirmed, or an event names a camera it lacks). */
  private readonly rereadCameras = coalesced(() => this.mergeCameras());

  constructor(live: StreamClient) {
    this.live = live;
    this.city.addEventListener('change', () => void this.load());
    const add = (kind: DeviceKind) =>
      h(
        'button',
        { type: 'button', 'data-add': kind, onclick: () => this.edit(kind) },
        t(`staff:devices.add.${kind}`),
      );
    this.el = h(
      'div',
      { class: 'staff-devices-view' },
      h(
        'form',
        { class: 'staff-filters', onsubmit: (e: Event) => e.preventDefault() },
        h('label', {}, t('staff:filters.city'), this.city),
      ),
      this.message,
      h(
        'div',
        { class: 'staff-columns' },
        h(
          'div',
          {},
          h(
            'section',
            { class: 'panel' },
            h('h2', {}, t('staff:devices.cameras')),
            add('camera'),
            this.cameraList,
          ),
          h(
            'section',
            { class: 'panel' },
            h('h2', {}, t('staff:devices.stations')),
            add('station'),
            this.stationList,
          ),
        ),
        this.side,
      ),
    );
    // "N s ago" stays true without a redraw of everything.
    setInterval(() => {
      if (!this.el.isConnected) return;
      for (const el of this.el.querySelectorAll<HTMLElement>('[data-ago]'))
        el.textContent = formatAgo(el.dataset.ago!);
    }, 5_000);
  }

  async load(): Promise<void> {
    const city = this.city.value;
    const seq = ++this.loadSeq;
    this.unsubscribe();
    this.early.clear();
    const listed = this.readLists(city, seq);
    // A status published between the list's answer and the gateway's confirmation of the
    // subscription reaches the page by neither path (a camera read "starting" for good): once the
    // camera channel is confirmed, or resumed with a gap, its list is read again and merged, as
    // the dashboard's camera panel does (web/src/live.ts, web/src/cameras.ts).
    const channel = `cameras:city:${city}`;
    const catchUp = (ch: string) => {
      if (ch !== channel) return;
      void listed.then((ok) => (ok ? this.rereadCameras() : undefined));
    };
    const offConfirmed = this.live.onSubscribed(catchUp);
    const offRecovery = this.live.onRecovery((r) => r.recovered || catchUp(r.channel));
    const offCameras = this.live.subscribe(channel, (e) => this.onCameraEvent(e.event));
    const offAir = this.live.subscribe(`air:city:${city}`, (e) => {
      const d = e.event.data as { stationId?: string; time?: string };
      if (d.stationId && d.time) {
        this.lastReading.set(d.stationId, d.time);
        // Only the "last reading" of that row: readings come every few seconds, and a redraw of
        // the list would undo a half-done delete or take the keyboard focus.
        this.rowOf(this.stationList, d.stationId)
          ?.querySelector('[data-field="seen"]')
          ?.replaceWith(seen('lastReading', 'noReading', d.time));
      }
    });
    this.unsubscribe = () => (offConfirmed(), offRecovery(), offCameras(), offAir());
    await listed;
  }

  /** Reads and shows both lists; false when it failed or a newer load took over. */
  private async readLists(city: string, seq: number): Promise<boolean> {
    try {
      const [cams, stations] = await Promise.all([
        call<{ items: CameraRow[] }>(`/v1/cameras?city=${city}`),
        call<{ items: StationRow[] }>(`/v1/air/stations?city=${city}`),
      ]);
      if (seq !== this.loadSeq) return false;
      this.cameras = cams.body.items;
      this.stations = stations.body.items;
    } catch (err) {
      this.say('error', t('staff:failed', { detail: (err as Error).message }));
      return false;
    }
    this.renderCameras();
    this.renderStations();
    return true;
  }

  /** Reads the camera list again: new cameras join, shown ones take a newer listed status. */
  private async mergeCameras(): Promise<void> {
    const city = this.city.value;
    const seq = this.loadSeq;
    const fresh = await call<{ items: CameraRow[] }>(`/v1/cameras?city=${city}`).catch(() => null);
    if (!fresh || seq !== this.loadSeq) return;
    let added = false;
    for (const c of fresh.body.items) {
      const cam = this.cameras.find((x) => x.id === c.id);
      if (!cam) {
        const early = this.early.get(c.id);
        this.early.delete(c.id);
        if (early && (!c.status || early.since > c.status.since)) c.status = early;
        this.cameras.push(c);
        added = true;
      } else if (c.status && (!cam.status || c.status.since > cam.status.since)) {
        cam.status = c.status;
        this.rowOf(this.cameraList, cam.id)?.replaceWith(this.cameraRow(cam));
      }
    }
    if (added) this.renderCameras();
  }

  private onCameraEvent(event: { type: string; data: unknown }): void {
    const d = event.data as {
      cameraId?: string;
      status?: string;
      reason?: string;
      since?: string;
      time?: string;
      worker?: string;
    };
    const status =
      event.type === 'city.camera.status.v1' && d.status
        ? { status: d.status, reason: d.reason, since: d.since ?? new Date().toISOString(), worker: d.worker }
        : null;
    const cam = this.cameras.find((c) => c.id === d.cameraId);
    if (!cam) {
      // A camera registered after the list was read (by another desk, a starting ingest process):
      // it joins the list, with this status if the list's is older. A camera's events arrive in
      // order, so the last one kept is its latest.
      if (!d.cameraId) return;
      if (status) this.early.set(d.cameraId, status);
      void this.rereadCameras();
      return;
    }
    const row = this.rowOf(this.cameraList, cam.id);
    if (status) {
      // The list read after the subscription can be newer (ISO 8601 UTC strings sort by time).
      if (cam.status?.since && status.since < cam.status.since) return;
      cam.status = status;
      row?.replaceWith(this.cameraRow(cam));
    } else if (event.type === 'city.camera.snapshot.v1' && d.time) {
      // A snapshot every second or two: only the row's "last snapshot" changes.
      cam.latestSnapshot = { time: d.time };
      row?.querySelector('[data-field="seen"]')?.replaceWith(seen('lastSnapshot', 'noSnapshot', d.time));
    }
  }

  private rowOf(list: HTMLElement, id: string): HTMLElement | null {
    return list.querySelector<HTMLElement>(`:scope > li[data-id="${CSS.escape(id)}"]`);
  }

  private renderCameras(): void {
    fill(
      this.cameraList,
      this.cameras.length === 0
        ? h('li', { class: 'muted' }, t('staff:devices.noCameras'))
        : this.cameras.map((c) => this.cameraRow(c)),
    );
  }

  private renderStations(): void {
    fill(
      this.stationList,
      this.stations.length === 0
        ? h('li', { class: 'muted' }, t('staff:devices.noStations'))
        : this.stations.map((s) =>
            this.deviceRow(
              'station',
              s as unknown as Record<string, unknown>,
              s.enabled ? 'enabled' : 'disabled',
              [h('small', { translate: 'no' }, `${s.id} · ${s.lat.toFixed(4)}, ${s.lon.toFixed(4)}`)],
              seen('lastReading', 'noReading', this.lastReading.get(s.id)),
            ),
          ),
    );
  }

  private cameraRow(c: CameraRow): HTMLElement {
    const status = c.enabled ? (c.status?.status ?? 'starting') : 'disabled';
    return this.deviceRow(
      'camera',
      c as unknown as Record<string, unknown>,
      status,
      [
        h('small', { translate: 'no' }, c.id),
        c.status?.worker
          ? h('small', {}, ' · ', ...withData('staff:devices.worker', 'worker', c.status.worker))
          : null,
      ],
      seen('lastSnapshot', 'noSnapshot', c.latestSnapshot?.time),
      // ffmpeg's own words: data, shown as they are.
      c.status?.reason && status !== 'online'
        ? h(
            'p',
            { class: 'staff-reason' },
            t('staff:devices.reason'),
            ' ',
            h('code', { translate: 'no' }, c.status.reason),
          )
        : null,
    );
  }

  /** A camera's or a station's row: name, state, what identifies it, when it was last heard from. */
  private deviceRow(
    kind: DeviceKind,
    device: Record<string, unknown>,
    status: string,
    ids: Child[],
    lastSeen: HTMLElement,
    extra: Child = null,
  ): HTMLElement {
    const id = String(device.id);
    return h(
      'li',
      { 'data-id': id, 'data-status': status },
      h(
        'strong',
        { translate: 'no' },
        localName({ name: String(device.name), names: device.names as Record<string, string> | undefined }),
      ),
      ' ',
      h('span', { class: `badge status-${status}`, 'data-field': 'status' }, statusName(status)),
      h('br'),
      ...ids,
      ' · ',
      lastSeen,
      extra,
      this.rowActions(kind, id, device.enabled === true, device),
    );
  }

  private rowActions(
    kind: DeviceKind,
    id: string,
    enabled: boolean,
    row: Record<string, unknown>,
  ): HTMLElement {
    const del = h('button', { type: 'button', 'data-action': 'delete' }, t('staff:devices.delete'));
    // Deleting takes two clicks: the first asks, the second does it.
    del.addEventListener('click', () => {
      if (del.dataset.confirm === 'yes') return void this.remove(kind, id);
      del.dataset.confirm = 'yes';
      del.textContent = t('staff:devices.confirmDelete', { id });
    });
    return h(
      'div',
      { class: 'staff-actions' },
      h(
        'button',
        { type: 'button', 'data-action': 'edit', onclick: () => this.edit(kind, row) },
        t('staff:devices.editButton'),
      ),
      h(
        'button',
        {
          type: 'button',
          'data-action': enabled ? 'disable' : 'enable',
          onclick: () => void this.setEnabled(kind, row, !enabled),
        },
        t(enabled ? 'staff:devices.disable' : 'staff:devices.enable'),
      ),
      kind === 'camera'
        ? h(
            'button',
            {
              type: 'button',
              'data-action': 'metrics',
              onclick: () => {
                void showCameraMetrics(this.side, id);
                // On a phone the pane is below the lists: bring it into view.
                this.side.scrollIntoView({ block: 'nearest' });
              },
            },
            t('staff:devices.metrics'),
          )
        : null,
      del,
    );
  }

  private edit(kind: DeviceKind, row?: Record<string, unknown>): void {
    const close = () => fill(this.side, t('staff:devices.pick'));
    fill(
      this.side,
      deviceForm({
        kind,
        initial: row,
        cancel: close,
        submit: async (body) => {
          // What the form does not show stays as it was: the size limit, and the protocol while
          // the URL is unchanged (a new URL has its protocol inferred again).
          if (kind === 'camera' && row) {
            if (row.maxWidth !== undefined) body.maxWidth = row.maxWidth;
            if (body.url === row.url) body.protocol = row.protocol;
          }
          await this.save(kind, body, !!row);
          close();
          this.say('ok', t(`staff:devices.saved.${kind}`, { id: String(body.id) }));
          await this.load();
        },
      }),
    );
    this.side.querySelector<HTMLElement>('input:not([readonly])')?.focus();
  }

  private async save(kind: DeviceKind, body: Record<string, unknown>, existing: boolean): Promise<void> {
    if (kind === 'camera') {
      await call('/v1/cameras', { body });
    } else if (existing) {
      const { id, ...rest } = body;
      await call(`/v1/air/stations/${encodeURIComponent(String(id))}`, { method: 'PUT', body: rest });
    } else {
      await call('/v1/air/stations', { body });
    }
  }

  private async setEnabled(kind: DeviceKind, row: Record<string, unknown>, enabled: boolean): Promise<void> {
    const { status: _s, latestSnapshot: _l, snapshotUrl: _u, ...config } = row;
    try {
      await this.save(kind, { ...config, enabled }, true);
      this.say('ok', t(`staff:devices.${enabled ? 'enabledNow' : 'disabledNow'}`, { id: String(row.id) }));
    } catch (err) {
      this.say('error', t('staff:failed', { detail: (err as Error).message }));
    }
    await this.load();
  }

  private async remove(kind: DeviceKind, id: string): Promise<void> {
    const path =
      kind === 'camera'
        ? `/v1/cameras/${encodeURIComponent(id)}`
        : `/v1/air/stations/${encodeURIComponent(id)}`;
    try {
      await call(path, { method: 'DELETE' });
      this.say('ok', t(`staff:devices.deleted.${kind}`, { id }));
    } catch (err) {
      this.say('error', t('staff:failed', { detail: (err as Error).message }));
    }
    await this.load();
  }

  private say(kind: 'ok' | 'error', text: string): void {
    this.message.className = `staff-message ${kind}`;
    this.message.textContent = text;
  }
}

const statusName = (s: string) =>
  s === 'enabled' || s === 'disabled'
    ? t(`staff:devices.${s}State`)
    : t(`cameras:status.${s}`, { defaultValue: s });

/** A sentence around a piece of data (a worker's name): the data marked translate="no". */
function withData(key: string, name: string, value: string): (string | HTMLElement)[] {
  const [before = '', after = ''] = t(key, { [name]: '\u0000' }).split('\u0000');
  return [before, h('span', { translate: 'no' }, value), after];
}

/** "last snapshot 3 s ago" (kept current by the view's ticker), or that there is none yet. */
function seen(
  label: 'lastSnapshot' | 'lastReading',
  none: 'noSnapshot' | 'noReading',
  time: string | undefined,
): HTMLElement {
  return time
    ? h(
        'small',
        { 'data-field': 'seen' },
        t(`staff:devices.${label}`),
        ' ',
        h('span', { 'data-ago': time }, formatAgo(time)),
      )
    : h('small', { 'data-field': 'seen' }, t(`staff:devices.${none}`));
}
