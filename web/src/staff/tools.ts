// The console's other views: integrator keys, dead letters (with a counts chart), the audit log.
import type { DeadLetterView } from '../../../modules/dead-letters/index.ts';
import type { IntegratorKeyView } from '../../../modules/integrator-keys/index.ts';
import { cityOptions } from '../cities.ts';
import { fill, h } from '../dom.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { call, staffToken } from './http.ts';

export function keysView(): HTMLElement {
  const list = h('ul', { class: 'staff-list' });
  const secret = h('p', { class: 'staff-secret', role: 'status' });
  const name = h('input', { name: 'name', required: true, maxlength: 64 });
  const city = h(
    'select',
    { name: 'city' },
    h('option', { value: '' }, t('staff:filters.any')),
    ...cityOptions(),
  );
  const stations = h('input', { name: 'stations' });
  const load = async () => {
    const { body } = await call<{ items: IntegratorKeyView[] }>('/v1/staff/keys');
    fill(
      list,
      body.items.map((k) =>
        h(
          'li',
          {},
          h('strong', {}, k.name),
          ` ${k.city ?? ''} ${k.stations.join(', ')} `,
          k.revokedAt ? h('em', {}, t('staff:revoked')) : null,
          h('br'),
          h(
            'small',
            {},
            t('staff:usage', {
              accepted: k.accepted,
              rejected: k.rejected,
              last: k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('staff:never'),
            }),
          ),
          k.revokedAt
            ? null
            : [
                h('button', { type: 'button', onclick: () => void act(k.id, 'rotate') }, t('staff:rotate')),
                h('button', { type: 'button', onclick: () => void act(k.id, 'revoke') }, t('staff:revoke')),
              ],
        ),
      ),
    );
  };
  const act = async (id: string, what: 'rotate' | 'revoke') => {
    const { body } = await call<{ secret?: string }>(`/v1/staff/keys/${id}/${what}`, { method: 'POST' });
    fill(secret, body.secret ? [t('staff:secretOnce'), ' ', h('code', {}, body.secret)] : '');
    await load();
  };
  const form = h(
    'form',
    {
      class: 'staff-filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void (async () => {
          const ids = stations.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          try {
            const { body } = await call<{ secret: string }>('/v1/staff/keys', {
              body: {
                name: name.value,
                ...(city.value ? { city: city.value } : {}),
                ...(ids.length ? { stations: ids } : {}),
              },
            });
            fill(secret, t('staff:secretOnce'), ' ', h('code', {}, body.secret));
            await load();
          } catch (err) {
            fill(secret, t('staff:failed', { detail: (err as Error).message }));
          }
        })();
      },
    },
    h('label', {}, t('staff:keyName'), name),
    h('label', {}, t('staff:keyCity'), city),
    h('label', {}, t('staff:keyStations'), stations),
    h('button', { type: 'submit' }, t('staff:create')),
  );
  void load();
  return h('section', { class: 'panel' }, h('h2', {}, t('staff:newKey')), form, secret, list);
}

/** How often the dead-letter view reads the list again while shown. */
const DEAD_LETTERS_REFRESH_MS = 5_000;

export function deadLettersView(): HTMLElement {
  const chart = h('div', { class: 'staff-bars', role: 'img', 'aria-label': t('staff:reasons') });
  const list = h('ul', { class: 'staff-list' });
  const result = h('p', { role: 'status' });
  const selected = new Set<string>();
  // Filters: status, a piece of the reason, the start of the source (`ingest:mqtt`, `consumer:`).
  const status = h(
    'select',
    { name: 'status' },
    h('option', { value: '' }, t('staff:filters.any')),
    ...(['open', 'replayed', 'discarded'] as const).map((s) =>
      h('option', { value: s, selected: s === 'open' }, t(`staff:letterStatus.${s}`)),
    ),
  );
  const reason = h('input', { name: 'reason', type: 'search', maxlength: 200 });
  const origin = h('input', { name: 'origin', type: 'search', maxlength: 300 });
  const query = (limit: boolean) => {
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (reason.value.trim()) q.set('reason', reason.value.trim());
    if (origin.value.trim()) q.set('origin', origin.value.trim());
    if (limit) q.set('limit', '100');
    return q.toString();
  };
  // The filters last applied (set by the first load): a refresh on its own does not apply what
  // is still being typed.
  let applied: { counts: string; list: string };
  const load = async (apply = true) => {
    if (apply) applied = { counts: query(false), list: query(true) };
    selected.clear();
    const [counts, letters] = await Promise.all([
      call<{ items: { reason: string; count: number }[] }>(`/v1/staff/dead-letters/counts?${applied.counts}`),
      call<{ items: DeadLetterView[] }>(`/v1/staff/dead-letters?${applied.list}`),
    ]);
    const max = Math.max(1, ...counts.body.items.map((c) => c.count));
    fill(
      chart,
      counts.body.items
        .slice(0, 10)
        .map((c) =>
          h(
            'div',
            { class: 'staff-bar' },
            h('span', { class: 'staff-bar-fill', style: `width:${(100 * c.count) / max}%` }),
            h('span', {}, `${c.count} · ${c.reason}`),
          ),
        ),
    );
    fill(
      list,
      letters.body.items.length === 0
        ? h('li', {}, t('staff:noLetters'))
        : letters.body.items.map((d) =>
            h(
              'li',
              { 'data-id': d.id },
              h(
                'label',
                {},
                h('input', {
                  type: 'checkbox',
                  disabled: !d.replayable || d.status === 'discarded',
                  onchange: (e: Event) =>
                    (e.target as HTMLInputElement).checked ? selected.add(d.id) : selected.delete(d.id),
                }),
                ` ${t(`staff:letterStatus.${d.status}`)} · ${formatDateTime(d.receivedAt)} · ${d.origin}`,
              ),
              h('br'),
              h('strong', {}, d.reason),
              // textContent: a payload is shown as the text it is, whatever markup it holds.
              h('pre', { class: 'staff-raw' }, d.text.slice(0, 2000)),
            ),
          ),
    );
  };
  const bulk = async (what: 'replay' | 'discard') => {
    if (selected.size === 0) return;
    const { body } = await call<{ items?: { ok: boolean }[]; discarded?: string[] }>(
      `/v1/staff/dead-letters/${what}`,
      { body: { ids: [...selected] } },
    );
    const ok = body.items ? body.items.filter((i) => i.ok).length : (body.discarded?.length ?? 0);
    fill(result, t('staff:replayed', { ok, failed: selected.size - ok }));
    selected.clear();
    await load();
  };
  for (const f of [status, reason, origin]) f.addEventListener('change', () => void load());
  void load();
  // Dead letters keep arriving while staff watch (an outage dead-letters readings by the
  // minute), and they are stored by a consumer a moment after they happen: the view reads again
  // every few seconds while it is shown, but not while letters are ticked for replay or discard.
  const refresh = () =>
    setTimeout(() => {
      if (!view.isConnected) return; // another tab is shown: this view is gone
      if (selected.size > 0) return void refresh();
      void load(false)
        .catch(() => undefined) // the next round tries again
        .finally(refresh);
    }, DEAD_LETTERS_REFRESH_MS);
  refresh();
  const view = h(
    'section',
    { class: 'panel' },
    h(
      'form',
      {
        class: 'staff-filters',
        'data-testid': 'dead-letter-filters',
        onsubmit: (e: Event) => (e.preventDefault(), void load()),
      },
      h('label', {}, t('staff:filters.status'), status),
      h('label', {}, t('staff:letterReason'), reason),
      h('label', {}, t('staff:letterOrigin'), origin),
      h('button', { type: 'submit' }, t('staff:applyFilters')),
    ),
    h('h2', {}, t('staff:reasons')),
    chart,
    h(
      'div',
      { class: 'staff-actions' },
      h('button', { type: 'button', onclick: () => void bulk('replay') }, t('staff:replay')),
      h('button', { type: 'button', onclick: () => void bulk('discard') }, t('staff:discard')),
    ),
    result,
    list,
  );
  return view;
}

/** Audit action codes by what they act on, as the filter offers them (the API matches a prefix). */
const AUDIT_GROUPS = ['incident', 'camera', 'station', 'key', 'dead_letter'] as const;

/** An audit action code in words; a code this page does not know is shown as it is. */
function auditActionText(code: string): string {
  const status = /^incident\.status\.([a-z_]+)$/.exec(code);
  if (status) {
    return t('staff:auditStatusSet', {
      status: t(`incidents:status.${status[1]}`, { defaultValue: status[1]! }),
    });
  }
  return /^[a-z_]+\.[a-z_]+$/.test(code) ? t(`staff:auditActions.${code}`, { defaultValue: code }) : code;
}

/** An audit row's target: an incident's opens it in the triage queue; others are shown as text. */
function auditTarget(target: string, openIncident: (id: string) => void): Node | string {
  const id = /^incident\/(.+)$/.exec(target)?.[1];
  if (!id) return target;
  return h(
    'button',
    { type: 'button', class: 'link', 'data-open-incident': id, onclick: () => openIncident(id) },
    target,
  );
}

export function auditView(openIncident: (id: string) => void): HTMLElement {
  const list = h('ol', { class: 'staff-list' });
  const action = h(
    'select',
    { name: 'action' },
    h('option', { value: '' }, t('staff:filters.any')),
    ...AUDIT_GROUPS.map((g) => h('option', { value: `${g}.` }, t(`staff:auditGroups.${g}`))),
  );
  const load = async () => {
    const q = action.value ? `?action=${encodeURIComponent(action.value)}` : '';
    const { body } = await call<{
      items: { at: string; actor: string; action: string; target: string; after: unknown }[];
    }>(`/v1/staff/audit${q}`);
    fill(
      list,
      body.items.length === 0
        ? h('li', {}, t('staff:auditEmpty'))
        : body.items.map((e) =>
            h(
              'li',
              { 'data-action': e.action, title: e.action },
              `${formatDateTime(e.at)} · ${e.actor} · ${auditActionText(e.action)} · `,
              auditTarget(e.target, openIncident),
            ),
          ),
    );
  };
  const csv = async () => {
    const res = await fetch(
      `/v1/staff/audit.csv${action.value ? `?action=${encodeURIComponent(action.value)}` : ''}`,
      {
        headers: { authorization: `Bearer ${staffToken()}` },
      },
    );
    const a = h('a', { href: URL.createObjectURL(await res.blob()), download: 'audit.csv' });
    a.click();
  };
  action.addEventListener('change', () => void load());
  void load();
  return h(
    'section',
    { class: 'panel' },
    h(
      'div',
      { class: 'staff-filters' },
      h('label', {}, t('staff:auditFilter'), action),
      h('button', { type: 'button', onclick: () => void csv() }, t('staff:csv')),
    ),
    list,
  );
}
