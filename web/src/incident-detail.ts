// One incident in full: photo, category, place, status with its history and staff notes, and
// the dates. Opened from the feed, "My reports" or a map marker; refreshed when its status moves.
import { api, list } from './api.ts';
import { fill, h } from './dom.ts';
import { formatDateTime, t } from './i18n/index.ts';
import { explain } from './citizen/ui.ts';
import type { z } from 'zod';
import type { incidentResponse } from '../../modules/incidents/index.ts';

type Incident = z.output<typeof incidentResponse>;
interface Move {
  from: string;
  to: string;
  note?: string;
  at: string;
}

export class IncidentDetail {
  readonly el = h('article', {
    class: 'incident-detail',
    'data-testid': 'incident-detail',
    hidden: true,
    tabindex: -1,
    'aria-labelledby': 'incident-detail-title',
  });
  private current: string | null = null;
  private seq = 0;

  async open(id: string): Promise<void> {
    const seq = ++this.seq;
    this.current = id;
    this.el.hidden = false;
    this.el.dataset.incident = id;
    fill(this.el, h('p', { class: 'note' }, t('common:loading')));
    try {
      const [i, history] = await Promise.all([
        api<Incident>(`/v1/incidents/${encodeURIComponent(id)}`),
        list<Move>(`/v1/incidents/${encodeURIComponent(id)}/history`),
      ]);
      if (seq !== this.seq) return;
      this.render(i, history);
      this.el.focus();
    } catch (err) {
      if (seq === this.seq)
        fill(this.el, h('p', { class: 'error', role: 'alert' }, explain(err)), this.closeButton());
    }
  }

  /** A live status change: reload the open incident if it is this one. */
  changed(id: string): void {
    if (this.current === id && !this.el.hidden) void this.open(id);
  }

  close(): void {
    this.current = null;
    this.el.hidden = true;
    this.el.replaceChildren();
  }

  private closeButton(): HTMLButtonElement {
    return h(
      'button',
      { type: 'button', class: 'secondary close', onclick: () => this.close() },
      t('common:close'),
    );
  }

  private render(i: Incident, history: Move[]): void {
    const status = (s: string) => t(`incidents:status.${s}`, { defaultValue: s });
    this.el.dataset.status = i.status;
    fill(
      this.el,
      h(
        'header',
        {},
        h(
          'h3',
          { id: 'incident-detail-title' },
          t(`incidents:category.${i.category}`, { defaultValue: i.category }),
        ),
        h('span', { class: `badge status-${i.status}`, 'data-field': 'status' }, status(i.status)),
        this.closeButton(),
      ),
      i.photoUrl
        ? h('img', {
            class: 'incident-photo',
            src: i.photoUrl,
            alt: t('incidents:detail.photoAlt'),
            'data-field': 'photo',
          })
        : h('p', { class: 'note' }, t('incidents:detail.noPhoto')),
      h('p', { class: 'incident-description', 'data-field': 'description' }, i.description),
      h(
        'dl',
        {},
        h('dt', {}, t('incidents:detail.place')),
        h(
          'dd',
          { 'data-field': 'place' },
          [i.address, `${i.lat.toFixed(5)}, ${i.lon.toFixed(5)}`].filter(Boolean).join(' · '),
        ),
        h('dt', {}, t('incidents:detail.reported')),
        h('dd', {}, h('time', { datetime: i.createdAt }, formatDateTime(i.createdAt))),
        h('dt', {}, t('incidents:detail.updated')),
        h('dd', {}, h('time', { datetime: i.updatedAt }, formatDateTime(i.updatedAt))),
        i.statusNote ? h('dt', {}, t('incidents:detail.staffNote')) : null,
        i.statusNote ? h('dd', { 'data-field': 'note' }, i.statusNote) : null,
      ),
      h('h4', {}, t('incidents:detail.history')),
      h(
        'ol',
        { class: 'incident-history', 'data-field': 'history' },
        h(
          'li',
          {},
          h('time', { datetime: i.createdAt }, formatDateTime(i.createdAt)),
          ' ',
          status('submitted'),
        ),
        history.map((m) =>
          h(
            'li',
            { 'data-to': m.to },
            h('time', { datetime: m.at }, formatDateTime(m.at)),
            ' ',
            t('incidents:detail.move', { from: status(m.from), to: status(m.to) }),
            m.note ? h('q', {}, m.note) : null,
          ),
        ),
      ),
    );
  }
}
