// The connection indicator and the live activity log (every event received, newest first).
import type { TransportKind } from '../../stream/client/index.ts';
import type { ChannelEvent, LinkState } from './events.ts';
import { h, text, timeOf } from './dom.ts';
import { t } from './i18n/index.ts';

/** What the indicator shows: the link's state, or `offline` while the browser has no network. */
type Shown = LinkState | 'offline';

/**
 * The live-link indicator. It says "Live" only while the SDK reports the link open, i.e. while
 * events or heartbeats keep arriving (the SDK drops a link silent for longer than its bound).
 */
export class ConnectionIndicator {
  readonly el = h('span', {
    class: 'connection',
    id: 'connection',
    'data-state': 'connecting',
    role: 'status',
  });
  private readonly dot = h('i', { class: 'dot' });
  private readonly text = h('span', {}, t('live:state.connecting'));
  private readonly via = h('small', { class: 'connection-transport' });
  private readonly detail = h('small', { class: 'connection-detail' });
  private state: LinkState = 'connecting';
  private offline = false;

  constructor() {
    this.el.append(this.dot, this.text, this.via, this.detail);
  }

  set(state: LinkState): void {
    this.state = state;
    this.render();
    if (state === 'open') this.detail.textContent = '';
  }

  /** The transport carrying the link (null when not open). */
  transport(kind: TransportKind | null): void {
    if (kind) this.el.dataset.transport = kind;
    else delete this.el.dataset.transport;
    // WebSocket is the normal case; a fallback is worth saying.
    this.via.textContent =
      kind && kind !== 'websocket' ? t('live:via', { transport: t(`live:transport.${kind}`) }) : '';
  }

  /** The browser's own word on the network (offline/online events). */
  setOffline(offline: boolean): void {
    this.offline = offline;
    this.render();
    this.detail.textContent = offline ? t('live:offlineNote') : '';
  }

  private render(): void {
    const shown: Shown = this.offline && this.state !== 'open' ? 'offline' : this.state;
    this.el.dataset.state = shown;
    this.text.textContent = t(`live:state.${shown}`);
  }

  /** A short note next to the state, e.g. after a recovery or an error. */
  note(text: string): void {
    this.detail.textContent = text;
  }
}

const MAX_ROWS = 100;

export class ActivityLog {
  readonly el: HTMLElement;
  private readonly rows = h('ol', { class: 'activity', 'data-testid': 'activity' });

  constructor() {
    this.el = h(
      'section',
      { class: 'panel activity-panel', id: 'activity' },
      h('h2', {}, 'Live activity'),
      this.rows,
    );
  }

  add(e: ChannelEvent): void {
    const row = h(
      'li',
      { 'data-event-id': e.event.id, 'data-type': e.event.type, 'data-channel': e.channel },
      h('span', { class: 'activity-time' }, timeOf(e.event.time)),
      h('span', { class: 'activity-type' }, e.event.type.replace(/^city\./, '').replace(/\.v\d+$/, '')),
      h('span', { class: 'activity-text' }, summarise(e)),
    );
    this.rows.prepend(row);
    while (this.rows.children.length > MAX_ROWS) this.rows.lastElementChild?.remove();
  }

  clear(): void {
    this.rows.replaceChildren();
  }
}

function summarise(e: ChannelEvent): string {
  const d = (e.event.data ?? {}) as Record<string, unknown>;
  const str = (k: string) => text(d[k]);
  switch (e.event.type) {
    case 'city.air.reading.v1':
      return `${str('stationId')} PM2.5 ${str('pm25') || '–'} PM10 ${str('pm10') || '–'}`;
    case 'city.air.aqi.v1':
      return `${str('stationId')} AQI ${(d.cn as { aqi?: number } | undefined)?.aqi ?? '–'}`;
    case 'city.camera.snapshot.v1':
      return `${str('cameraId')} frame ${str('sequence')}`;
    case 'city.camera.status.v1':
      return `${str('cameraId')} ${str('status')}${d.reason ? `: ${str('reason')}` : ''}`;
    case 'city.incident.reported.v1':
      return `${str('category')} reported: ${str('description')}`;
    case 'city.incident.status_changed.v1':
      return `${str('incidentId')} ${str('from')} → ${str('to')}`;
    default:
      if (e.event.type.startsWith('city.booking.'))
        return `${str('kind')} ${str('bookingId')} ${str('status')}`;
      if (e.event.type.startsWith('city.payment.'))
        return `${str('kind')} ${str('amount')} ${str('currency')} ${str('status')}`;
      return e.event.subject ?? e.event.id;
  }
}
