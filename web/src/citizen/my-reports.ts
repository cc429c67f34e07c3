// "My reports": the incidents this person reported while signed in, with photo and status;
// each opens its detail view.
import { list } from '../api.ts';
import { fill, h } from '../dom.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import type { z } from 'zod';
import type { incidentResponse } from '../../../modules/incidents/index.ts';
import { explain } from './ui.ts';

type Incident = z.output<typeof incidentResponse>;

export function myReports(openIncident: (id: string) => void): HTMLElement {
  const ul = h(
    'ul',
    { class: 'my-reports', 'data-testid': 'my-reports' },
    h('li', { class: 'note' }, t('common:loading')),
  );
  list<Incident>('/v1/incidents/mine').then(
    (rows) =>
      fill(
        ul,
        rows.length
          ? rows.map((i) =>
              h(
                'li',
                { 'data-report': i.id, 'data-status': i.status },
                i.photoUrl
                  ? h('img', {
                      src: i.photoUrl,
                      alt: t('incidents:detail.photoAlt'),
                      class: 'thumb',
                      loading: 'lazy',
                    })
                  : null,
                h(
                  'span',
                  { class: 'report-body' },
                  h(
                    'span',
                    { class: 'report-category' },
                    t(`incidents:category.${i.category}`, { defaultValue: i.category }),
                  ),
                  h('span', { class: 'report-text' }, i.description),
                  h('time', { datetime: i.createdAt }, formatDateTime(i.createdAt)),
                ),
                h('span', { class: `badge status-${i.status}` }, t(`incidents:status.${i.status}`)),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    'data-open': i.id,
                    onclick: () => openIncident(i.id),
                  },
                  t('citizen:reports.open'),
                ),
              ),
            )
          : h('li', { class: 'note' }, t('citizen:reports.none')),
      ),
    (err: unknown) => fill(ul, h('li', { class: 'error', role: 'alert' }, explain(err))),
  );
  return ul;
}
