// The live incident feed of the city: newest first, status updated as staff handle them; every
// incident is also a pin on the map. `openIncident(id)` shows one in full (photo, place, status
// history with staff notes, dates): from the feed, "My reports", or its map marker.
import { list } from './api.ts';
import type { CityId } from './cities.ts';
import { fill, h } from './dom.ts';
import { formatDateTime, formatTime, language, t } from './i18n/index.ts';
import { IncidentDetail } from './incident-detail.ts';
import { explain } from './citizen/ui.ts';
import type { z } from 'zod';
import type { IncidentReported, IncidentStatusChanged } from '../../core/events/services.ts';
import type { incidentResponse } from '../../modules/incidents/index.ts';

// API shapes come from the server's schemas; type-only imports, so no server code is bundled.
type IncidentView = z.output<typeof incidentResponse>;

/** What the feed shows of an incident, from the API or from its events. */
export type Incident = Pick<
  IncidentView,
  'id' | 'city' | 'category' | 'lat' | 'lon' | 'description' | 'status'
> & {
  reportedAt: string;
  /** From the API (the hub computes it); live events do not carry it. */
  district?: IncidentView['district'] | undefined;
};

/** `city.incident.reported.v1` data, or an incident from the API (which names it `id`). */
type IncidentLike = Partial<IncidentView & IncidentReported>;

export class IncidentPanel {
  readonly el: HTMLElement;
  private readonly feed = h('ol', { class: 'incident-feed', 'data-testid': 'incidents' });
  private readonly note = h('p', { class: 'note', role: 'status' });
  private readonly detail = new IncidentDetail();
  private incidents = new Map<string, Incident>();
  private loadSeq = 0;
  private city: CityId | null = null;
  private empty = false;
  onChange: () => void = () => undefined;

  constructor() {
    this.el = h(
      'section',
      { class: 'panel incidents', id: 'incidents', 'aria-labelledby': 'incidents-title' },
      h('h2', { id: 'incidents-title' }, t('incidents:title')),
      this.detail.el,
      this.note,
      this.feed,
    );
  }

  /** An incident of the city shown, by id. */
  incident(id: string): Incident | undefined {
    return this.incidents.get(id);
  }

  all(): Incident[] {
    return [...this.incidents.values()].sort((a, b) => Date.parse(b.reportedAt) - Date.parse(a.reportedAt));
  }

  /** Shows one incident in full and scrolls it into view. */
  openIncident(id: string): void {
    void this.detail.open(id);
    this.el.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  async load(city: CityId): Promise<void> {
    const seq = ++this.loadSeq;
    this.city = city;
    this.incidents.clear();
    this.note.textContent = t('incidents:loading');
    this.render();
    try {
      const rows = await list<IncidentLike>(`/v1/incidents?city=${city}`);
      if (seq !== this.loadSeq) return;
      for (const r of rows) this.upsert(r);
      this.note.textContent = '';
      this.render();
    } catch (err) {
      if (seq === this.loadSeq) this.note.textContent = t('incidents:unavailable', { reason: explain(err) });
    }
  }

  /** Merges the city's list read again into what is shown (nothing cleared, no loading note). */
  async refresh(): Promise<void> {
    const seq = this.loadSeq;
    const city = this.city;
    if (!city) return;
    const rows = await list<IncidentLike>(`/v1/incidents?city=${city}`).catch(() => null);
    if (!rows || seq !== this.loadSeq) return;
    for (const r of rows) this.upsert(r);
    this.render();
  }

  /** A live `city.incident.reported.v1`. */
  onReported(data: IncidentLike): void {
    this.upsert(data);
    this.render();
  }

  /** A live `city.incident.status_changed.v1`. */
  onStatusChanged(data: Pick<IncidentStatusChanged, 'incidentId' | 'to'>): void {
    const inc = this.incidents.get(data.incidentId);
    if (inc) inc.status = data.to;
    this.detail.changed(data.incidentId);
    if (inc) this.render();
  }

  private upsert(r: IncidentLike): void {
    const id = r.incidentId ?? r.id;
    if (!id || r.lat === undefined || r.lon === undefined) return;
    this.incidents.set(id, {
      id,
      city: r.city ?? '',
      category: r.category ?? 'other',
      lat: r.lat,
      lon: r.lon,
      description: r.description ?? '',
      status: r.status ?? 'submitted',
      reportedAt: r.reportedAt ?? r.createdAt ?? new Date().toISOString(),
      district: r.district ?? this.incidents.get(id)?.district,
    });
  }

  private render(): void {
    const all = this.all();
    fill(
      this.feed,
      all
        .slice(0, 50)
        .map((i) =>
          h(
            'li',
            { class: 'incident', 'data-incident': i.id },
            h(
              'button',
              { type: 'button', class: 'incident-open', onclick: () => this.openIncident(i.id) },
              h('span', { class: `badge status-${i.status}` }, t(`incidents:status.${i.status}`)),
              h(
                'span',
                { class: 'incident-category' },
                t(`incidents:category.${i.category}`, { defaultValue: i.category }),
              ),
              h(
                'time',
                { class: 'incident-time', datetime: i.reportedAt, title: formatDateTime(i.reportedAt) },
                formatTime(i.reportedAt),
              ),
              i.district
                ? h(
                    'span',
                    { class: 'incident-district' },
                    language() === 'zh-CN' ? i.district.zh : i.district.en,
                  )
                : null,
              h('span', { class: 'incident-description' }, i.description),
            ),
          ),
        ),
    );
    const loading = this.note.textContent === t('incidents:loading');
    if (!all.length && !this.note.textContent) {
      this.note.textContent = t('incidents:none');
      this.empty = true;
    } else if (all.length && this.empty && !loading) {
      this.note.textContent = '';
      this.empty = false;
    }
    this.onChange();
  }
}
