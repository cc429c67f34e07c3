// The live activity feed: every event received, newest first, filterable by kind. The person's
// own events (bookings, payments: the user:{id} channel) are kept in a list of their own, so the
// stream of air readings cannot push them out, and they stay when the city changes. Rows say
// what happened in words (a station's or camera's name, an appointment's time, an amount); the
// id an event is about stays on the row as data-ref, for scripts, not for reading.
import type { ChannelEvent } from './events.ts';
import { h, text, type Child } from './dom.ts';
import { formatDateTime, formatMoney, formatTime, t } from './i18n/index.ts';

/**
 * What the page calls a station or camera (its name in the page's language) or an incident (its
 * category) that it knows; undefined if it does not.
 */
export type NameOf = (kind: 'station' | 'camera' | 'incident', id: string) => string | undefined;

export type ActivityKind = 'mine' | 'incidents' | 'air' | 'cameras';
const KINDS: ActivityKind[] = ['mine', 'incidents', 'air', 'cameras'];
/** Rows kept per kind: the busiest (air) cannot crowd out the others. */
const MAX_PER_KIND = 100;
/** Rows shown at once. */
const MAX_SHOWN = 100;

export function kindOf(e: ChannelEvent): ActivityKind {
  if (e.channel.startsWith('user:')) return 'mine';
  if (e.event.type.startsWith('city.incident.')) return 'incidents';
  if (e.event.type.startsWith('city.camera.')) return 'cameras';
  return 'air';
}

export class ActivityLog {
  readonly el: HTMLElement;
  // Focusable: a keyboard user can scroll the list (it has nothing else to focus).
  private readonly rows = h('ol', {
    class: 'activity',
    'data-testid': 'activity',
    tabindex: 0,
    'aria-labelledby': 'activity-title',
  });
  private readonly kept = new Map<ActivityKind, { e: ChannelEvent; row: HTMLElement }[]>(
    KINDS.map((k) => [k, []]),
  );
  private filter: ActivityKind | 'all' = 'all';
  private readonly buttons = new Map<ActivityKind | 'all', HTMLButtonElement>();
  private readonly nameOf: NameOf;

  constructor(nameOf: NameOf = () => undefined) {
    this.nameOf = nameOf;
    const filters = h('div', {
      class: 'activity-filters',
      role: 'group',
      'aria-label': t('activity:filterLabel'),
    });
    for (const k of ['all', ...KINDS] as const) {
      const b = h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'data-filter': k,
          'aria-pressed': String(k === 'all'),
          onclick: () => this.setFilter(k),
        },
        t(`activity:filter.${k}`),
      );
      this.buttons.set(k, b);
      filters.append(b);
    }
    this.el = h(
      'section',
      { class: 'panel activity-panel', id: 'activity', 'aria-labelledby': 'activity-title' },
      h('h2', { id: 'activity-title' }, t('activity:title')),
      filters,
      this.rows,
    );
  }

  add(e: ChannelEvent): void {
    const kind = kindOf(e);
    const row = h(
      'li',
      {
        'data-event-id': e.event.id,
        'data-type': e.event.type,
        'data-channel': e.channel,
        'data-kind': kind,
        'data-ref': refOf(e),
      },
      h('span', { class: 'activity-time' }, formatTime(e.event.time)),
      h(
        'span',
        { class: 'activity-type' },
        t(`activity:type.${typeKey(e.event.type)}`, { defaultValue: typeKey(e.event.type) }),
      ),
      h('span', { class: 'activity-text' }, summarise(e, this.nameOf)),
    );
    const list = this.kept.get(kind)!;
    list.unshift({ e, row });
    if (list.length > MAX_PER_KIND) list.pop()?.row.remove();
    if (this.filter === 'all' || this.filter === kind) {
      this.rows.prepend(row);
      while (this.rows.children.length > MAX_SHOWN) this.rows.lastElementChild?.remove();
    }
  }

  /** A new city: its public events go, the person's own stay. */
  clearCity(): void {
    for (const k of KINDS) if (k !== 'mine') this.kept.set(k, []);
    this.render();
  }

  /** Signed out: nothing of the person stays either. */
  clear(): void {
    for (const k of KINDS) this.kept.set(k, []);
    this.render();
  }

  private setFilter(f: ActivityKind | 'all'): void {
    this.filter = f;
    for (const [k, b] of this.buttons) b.setAttribute('aria-pressed', String(k === f));
    this.render();
  }

  private render(): void {
    const kinds = this.filter === 'all' ? KINDS : [this.filter];
    const all = kinds
      .flatMap((k) => this.kept.get(k)!)
      .sort((a, b) => Date.parse(b.e.event.time) - Date.parse(a.e.event.time))
      .slice(0, MAX_SHOWN);
    this.rows.replaceChildren(...all.map((x) => x.row));
  }
}

/** "city.booking.created.v1" → "booking.created". */
function typeKey(type: string): string {
  return type.replace(/^city\./, '').replace(/\.v\d+$/, '');
}

/** The id an event is about: a booking, payment, incident, station or camera. */
function refOf(e: ChannelEvent): string {
  const d = (e.event.data ?? {}) as Record<string, unknown>;
  for (const k of ['bookingId', 'paymentId', 'incidentId', 'stationId', 'cameraId']) {
    if (typeof d[k] === 'string') return d[k];
  }
  return e.event.subject ?? e.event.id;
}

function summarise(e: ChannelEvent, nameOf: NameOf): Child[] {
  const d = (e.event.data ?? {}) as Record<string, unknown>;
  const str = (k: string) => text(d[k]);
  /** A place's name as data (not translated by the browser), its id when the page does not know it. */
  const place = (kind: 'station' | 'camera', id: string) =>
    h('span', { translate: 'no' }, nameOf(kind, id) ?? id);
  const status = () => t(`citizen:status.${str('status')}`, { defaultValue: str('status') });
  const kind = () => t(`citizen:kind.${str('kind')}`, { defaultValue: str('kind') });
  switch (e.event.type) {
    case 'city.air.reading.v1':
      return [place('station', str('stationId')), ` PM2.5 ${str('pm25') || '–'} PM10 ${str('pm10') || '–'}`];
    case 'city.air.aqi.v1':
      return [
        place('station', str('stationId')),
        ` AQI ${(d.cn as { aqi?: number } | undefined)?.aqi ?? '–'}`,
      ];
    case 'city.camera.snapshot.v1':
      return [place('camera', str('cameraId')), ` #${str('sequence')}`];
    case 'city.camera.status.v1':
      // The reason is the camera worker's own diagnostic (an ffmpeg message): shown verbatim and
      // marked as data, while the status itself is in the page's language.
      return [
        place('camera', str('cameraId')),
        ` ${t(`cameras:status.${str('status')}`, { defaultValue: str('status') })}`,
        ...(d.reason ? [': ', h('span', { translate: 'no' }, str('reason'))] : []),
      ];
    case 'city.incident.reported.v1':
      return [
        `${t(`incidents:category.${str('category')}`, { defaultValue: str('category') })}: ${str('description')}`,
      ];
    case 'city.incident.notice.v1':
      // What staff did with the person's own report (its reference, as given when it was sent);
      // their note is shown as written.
      return [
        `${str('incidentId')} ${t(`incidents:status.${str('from')}`, { defaultValue: str('from') })} → ${t(`incidents:status.${str('status')}`, { defaultValue: str('status') })}`,
        ...(d.note ? [': ', h('span', { class: 'activity-note' }, str('note'))] : []),
      ];
    case 'city.incident.status_changed.v1':
      return [
        `${nameOf('incident', str('incidentId')) ?? str('incidentId')} ${t(`incidents:status.${str('from')}`)} → ${t(`incidents:status.${str('to')}`)}`,
      ];
    default:
      if (e.event.type.startsWith('city.booking.')) {
        // What the booking is: an appointment's time, a ticket's seats (both in the event).
        const details = (d.details ?? {}) as { start?: unknown; seats?: unknown };
        const what =
          typeof details.start === 'string'
            ? formatDateTime(details.start)
            : Array.isArray(details.seats) && details.seats.length > 0
              ? t('activity:seats', { seats: details.seats.map(String).join(', ') })
              : null;
        return [[kind(), what, status()].filter(Boolean).join(' · ')];
      }
      if (e.event.type.startsWith('city.payment.'))
        return [
          [kind(), d.amount === undefined ? null : formatMoney(str('amount')), status()]
            .filter(Boolean)
            .join(' · '),
        ];
      return [e.event.subject ?? e.event.id];
  }
}
