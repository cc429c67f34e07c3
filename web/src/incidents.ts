// The live incident feed of the city: newest first, status updated as staff handle them; every
// incident is also a pin on the map.
import { describe } from './air.ts';
import { list } from './api.ts';
import type { CityId } from './cities.ts';
import { fill, h, timeOf } from './dom.ts';
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
};

/** `city.incident.reported.v1` data, or an incident from the API (which names it `id`). */
type IncidentLike = Partial<IncidentView & IncidentReported>;

export class IncidentPanel {
  readonly el: HTMLElement;
  private readonly feed = h('ol', { class: 'incident-feed', 'data-testid': 'incidents' });
  private readonly note = h('p', { class: 'note' });
  private incidents = new Map<string, Incident>();
  private loadSeq = 0;
  onChange: () => void = () => undefined;

  constructor() {
    this.el = h(
      'section',
      { class: 'panel incidents', id: 'incidents' },
      h('h2', {}, 'Incidents'),
      this.note,
      this.feed,
    );
  }

  all(): Incident[] {
    return [...this.incidents.values()].sort((a, b) => Date.parse(b.reportedAt) - Date.parse(a.reportedAt));
  }

  async load(city: CityId): Promise<void> {
    const seq = ++this.loadSeq;
    this.incidents.clear();
    this.note.textContent = 'Loading incidents…';
    this.render();
    try {
      const rows = await list<IncidentLike>(`/v1/incidents?city=${city}`);
      if (seq !== this.loadSeq) return;
      for (const r of rows) this.upsert(r);
      this.note.textContent = '';
      this.render();
    } catch (err) {
      if (seq === this.loadSeq) this.note.textContent = `Incidents unavailable: ${describe(err)}`;
    }
  }

  /** A live `city.incident.reported.v1`. */
  onReported(data: IncidentLike): void {
    this.upsert(data);
    this.render();
  }

  /** A live `city.incident.status_changed.v1`. */
  onStatusChanged(data: Pick<IncidentStatusChanged, 'incidentId' | 'to'>): void {
    const inc = this.incidents.get(data.incidentId);
    if (!inc) return;
    inc.status = data.to;
    this.render();
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
            h('span', { class: `badge status-${i.status}` }, i.status.replace('_', ' ')),
            h('span', { class: 'incident-category' }, i.category.replace(/_/g, ' ')),
            h('span', { class: 'incident-time' }, timeOf(i.reportedAt)),
            h('p', { class: 'incident-description' }, i.description),
          ),
        ),
    );
    if (!all.length && !this.note.textContent) this.note.textContent = 'No incidents reported.';
    else if (all.length && this.note.textContent === 'No incidents reported.') this.note.textContent = '';
    this.onChange();
  }
}
