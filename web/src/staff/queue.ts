// The triage queue: filters, incidents oldest first, live (new reports and changes arrive over
// incidents:city:{c}), the map of open incidents, and the detail pane with the actions. Actions
// send the version the pane shows as If-Match; a 412 reloads the fresh state and says so.
import { INCIDENT_STATUSES } from '../../../core/domain/statuses.ts';
import type { StreamClient } from '../../../stream/client/index.ts';
import type { IncidentResponse, StaffIncident } from '../../../modules/incidents/index.ts';
import { cityById, cityOptions } from '../cities.ts';
import { fill, h } from '../dom.ts';
import { formatAgo, formatDateTime, t } from '../i18n/index.ts';
import { CityMap } from '../map/index.ts';
import { language } from '../i18n/index.ts';
import { call, StaffError } from './http.ts';

/** The status filter's values: the API takes a comma-separated list. Open is the default. */
const OPEN = INCIDENT_STATUSES.filter((s) => s !== 'resolved' && s !== 'rejected').join(',');
const ALL = INCIDENT_STATUSES.join(',');
type Action = 'acknowledge' | 'start' | 'resolve' | 'reject';
/** The workflow (modules/incidents/model.ts TRANSITIONS) as actions: only possible ones are offered. */
const NEXT: Record<string, readonly Action[]> = {
  submitted: ['acknowledge', 'reject'],
  acknowledged: ['start', 'reject'],
  in_progress: ['resolve', 'reject'],
};

export class Queue {
  readonly el: HTMLElement;
  private readonly list = h('ol', { class: 'staff-queue', 'aria-live': 'polite' });
  private readonly pane = h('section', { class: 'panel staff-detail' }, t('staff:pick'));
  private readonly map = new CityMap({ picksReports: false });
  private readonly city = h('select', { name: 'city' }, ...cityOptions());
  private readonly status = h(
    'select',
    { name: 'status' },
    h('option', { value: OPEN }, t('staff:filters.open')),
    ...INCIDENT_STATUSES.map((s) => h('option', { value: s }, statusName(s))),
    h('option', { value: ALL }, t('staff:filters.all')),
  );
  private readonly category = h(
    'select',
    { name: 'category' },
    h('option', { value: '' }, t('staff:filters.any')),
  );
  private readonly district = h('input', { name: 'district', placeholder: t('staff:filters.district') });
  private items: IncidentResponse[] = [];
  private selected: string | null = null;
  /** The outcome of the last action, kept while live refreshes redraw the pane. */
  private message: { kind: 'ok' | 'error'; text: string } | null = null;
  private departments: string[] = [];
  private unsubscribe: () => void = () => undefined;
  /** The city the map shows and the live subscription follows. */
  private shownCity: string | null = null;
  private readonly live: StreamClient;
  /** Each load is numbered: an older answer arriving late never overwrites a newer one. */
  private loads = 0;
  /** The same for the detail pane. */
  private opens = 0;
  /** The incident the pane shows: its fields, whose unsaved input a redraw must keep, and the
   * department it had when drawn. */
  private shown: {
    id: string;
    note: HTMLTextAreaElement;
    department: HTMLSelectElement;
    savedDepartment: string;
  } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(live: StreamClient) {
    this.live = live;
    const reload = () => void this.load();
    for (const f of [this.city, this.status, this.category]) f.addEventListener('change', reload);
    this.district.addEventListener('input', () => this.render());
    this.el = h(
      'div',
      { class: 'staff-triage' },
      h(
        'form',
        { class: 'staff-filters', onsubmit: (e: Event) => e.preventDefault() },
        h('label', {}, t('staff:filters.city'), this.city),
        h('label', {}, t('staff:filters.status'), this.status),
        h('label', {}, t('staff:filters.category'), this.category),
        h('label', {}, t('staff:filters.district'), this.district),
      ),
      h('div', { class: 'staff-columns' }, h('section', { class: 'panel' }, this.list), this.pane),
      this.map.el,
    );
  }

  async start(): Promise<void> {
    // The filters' lists are a convenience: the queue is read even when they could not be.
    const [cats, deps] = await Promise.allSettled([
      call<{ items: { code: string; name: string }[] }>('/v1/incidents/categories'),
      call<{ items: string[] }>('/v1/staff/incidents/departments'),
    ]);
    if (cats.status === 'fulfilled')
      for (const c of cats.value.body.items) this.category.append(h('option', { value: c.code }, c.name));
    if (deps.status === 'fulfilled') this.departments = deps.value.body.items;
    await this.load();
  }

  /**
   * Reads the queue. A failed read (the hub restarting, a network blip) says so in the list and
   * tries again by itself, so the console never sits on an empty or outdated queue in silence.
   */
  private async load(): Promise<void> {
    const q = new URLSearchParams({ city: this.city.value, status: this.status.value });
    if (this.category.value) q.set('category', this.category.value);
    const n = ++this.loads;
    clearTimeout(this.retryTimer);
    let items: IncidentResponse[];
    try {
      items = (await call<{ items: IncidentResponse[] }>(`/v1/staff/incidents?${q}`)).body.items;
    } catch (err) {
      if (n !== this.loads) return;
      fill(
        this.list,
        h(
          'li',
          { class: 'staff-message error', role: 'alert' },
          t('staff:loadFailed', { detail: (err as Error).message }),
        ),
      );
      this.retryTimer = setTimeout(() => void this.load(), 3_000);
      return;
    }
    if (n !== this.loads) return;
    this.items = items;
    // Only a new city moves the map and changes the subscription: a live refresh must not reset
    // the map the person zoomed, nor re-read its hospitals and resubscribe on every report.
    if (this.shownCity !== this.city.value) {
      this.shownCity = this.city.value;
      this.map.setCity(cityById(this.city.value));
      this.unsubscribe();
      // New reports and every change in the city arrive here; the list is re-read so filters and
      // the reporter's contact (never on the public channel) stay right.
      this.unsubscribe = this.live.subscribe(`incidents:city:${this.city.value}`, () => {
        void this.refresh();
      });
    }
    this.render();
  }

  private async refresh(): Promise<void> {
    await this.load();
    if (this.selected) await this.open(this.selected);
  }

  private render(): void {
    const district = this.district.value.trim();
    const shown = this.items.filter((i) => !district || districtName(i.district).includes(district));
    fill(
      this.list,
      shown.length === 0
        ? h('li', { class: 'muted' }, t('staff:queueEmpty'))
        : shown.map((i) =>
            h(
              'li',
              { class: `staff-item${i.id === this.selected ? ' selected' : ''}`, 'data-id': i.id },
              h(
                'button',
                { type: 'button', onclick: () => void this.open(i.id, null) },
                h('strong', {}, categoryName(i.category)),
                ' ',
                h('span', { class: `status status-${i.status}` }, statusName(i.status)),
                h('br'),
                h('span', {}, i.description),
                h('br'),
                h('small', {}, t('staff:age', { age: formatAgo(i.createdAt) })),
              ),
            ),
          ),
    );
    this.map.setPins(
      shown
        .filter((i) => i.status !== 'resolved' && i.status !== 'rejected')
        .map((i) => ({
          id: i.id,
          kind: 'incident' as const,
          lat: i.lat,
          lon: i.lon,
          label: categoryName(i.category),
        })),
    );
  }

  async open(id: string, message?: { kind: 'ok' | 'error'; text: string } | null): Promise<void> {
    if (message !== undefined || id !== this.selected) this.message = message ?? null;
    this.selected = id;
    message = this.message;
    this.render();
    const n = ++this.opens;
    const { body: inc, etag } = await call<StaffIncident>(`/v1/staff/incidents/${id}`);
    if (n !== this.opens) return;
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 1000 });
    const department = h(
      'select',
      { name: 'department' },
      h('option', { value: '' }, t('staff:noDepartment')),
      ...this.departments.map((d) => h('option', { value: d, selected: d === inc.department }, d)),
    );
    const act = async (action: Action | 'assign') => {
      const sent = note.value.trim();
      try {
        const body = {
          action,
          ...(sent ? { note: sent } : {}),
          ...(action === 'assign' ? { department: department.value } : {}),
        };
        const r = await call<StaffIncident>(`/v1/staff/incidents/${id}/actions`, {
          body,
          ifMatch: etag ?? '',
        });
        // Saved with the action: cleared now, so a redraw already under way does not bring it back.
        // A redraw that finished while the action was in flight copied the note into a new field:
        // that one is cleared too, unless staff have typed something else there since.
        note.value = '';
        const shown = this.shown?.id === id ? this.shown.note : null;
        if (shown && shown.value.trim() === sent) shown.value = '';
        await this.open(id, { kind: 'ok', text: t('staff:done', { status: statusName(r.body.status) }) });
      } catch (err) {
        if (err instanceof StaffError && err.status === 412) {
          await this.open(id, { kind: 'error', text: t('staff:stale') });
        } else {
          await this.open(id, { kind: 'error', text: t('staff:failed', { detail: (err as Error).message }) });
        }
      }
    };
    // Any change in the city redraws the pane (live), and so does a refused action: what staff
    // were typing or had picked for the incident stays, with the cursor where it was.
    const previous = this.shown?.id === id ? this.shown : null;
    const typing = previous !== null && document.activeElement === previous.note;
    if (previous) {
      note.value = previous.note.value;
      if (previous.department.value !== previous.savedDepartment)
        department.value = previous.department.value;
    }
    this.shown = { id, note, department, savedDepartment: inc.department ?? '' };
    const r = inc.reporter;
    fill(
      this.pane,
      h('h2', {}, `${categoryName(inc.category)} · ${statusName(inc.status)}`),
      message ? h('p', { class: `staff-message ${message.kind}`, role: 'status' }, message.text) : null,
      h('p', {}, inc.description),
      inc.photoUrl ? h('img', { src: inc.photoUrl, alt: inc.description, class: 'staff-photo' }) : null,
      h('p', {}, t('staff:pin', { lat: inc.lat.toFixed(5), lon: inc.lon.toFixed(5) })),
      inc.district
        ? h(
            'p',
            {},
            t('staff:district', { district: language() === 'zh-CN' ? inc.district.zh : inc.district.en }),
          )
        : null,
      r
        ? h(
            'p',
            { class: 'staff-reporter' },
            h('strong', {}, t('staff:reporter')),
            ' ',
            t('staff:contact', { name: r.name ?? '', phone: r.phone ?? '', email: r.email ?? '' }),
          )
        : null,
      h('label', {}, t('staff:note'), note),
      h(
        'div',
        { class: 'staff-actions' },
        ...(NEXT[inc.status] ?? []).map((a) =>
          h(
            'button',
            { type: 'button', 'data-action': a, onclick: () => void act(a) },
            t(`staff:actions.${a}`),
          ),
        ),
      ),
      h(
        'div',
        { class: 'staff-actions' },
        h('label', {}, t('staff:department'), department),
        h(
          'button',
          { type: 'button', 'data-action': 'assign', onclick: () => void act('assign') },
          t('staff:actions.assign'),
        ),
      ),
      h('h3', {}, t('staff:history')),
      h(
        'ol',
        {},
        inc.history.map((u) =>
          h(
            'li',
            {},
            `${formatDateTime(u.at)} ${statusName(u.from)} → ${statusName(u.to)}${u.note ? `: ${u.note}` : ''} (${u.by})`,
          ),
        ),
      ),
    );
    if (typing && previous) {
      note.focus();
      note.setSelectionRange(previous.note.selectionStart, previous.note.selectionEnd);
    }
  }
}

const statusName = (s: string) => t(`incidents:status.${s}`, { defaultValue: s });
const categoryName = (c: string) => t(`incidents:category.${c}`, { defaultValue: c });

/** A district in the page's language; matches either name in the filter. */
function districtName(d: { zh: string; en: string } | null | undefined): string {
  if (!d) return '';
  return language() === 'zh-CN' ? `${d.zh} ${d.en}` : `${d.en} ${d.zh}`;
}
