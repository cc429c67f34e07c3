// The staff console at /staff: entered with a staff token (a citizen's is refused here as on the
// server), tabs for the triage queue, integrator keys, dead letters and the audit log.
import { StreamClient } from '../../../stream/client/index.ts';
import { fill, h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { tabList } from '../tabs.ts';
import { call, StaffError, TOKEN_KEY, staffToken } from './http.ts';
import { DevicesView } from './devices.ts';
import { Queue } from './queue.ts';
import { auditView, deadLettersView, keysView } from './tools.ts';

const TABS = ['queue', 'devices', 'keys', 'dead', 'audit'] as const;

export function mountStaff(root: HTMLElement): void {
  const main = h('main', { class: 'staff' });
  fill(root, h('header', { class: 'staff-header' }, h('h1', {}, t('staff:title'))), main);
  void enter(main);
}

async function enter(main: HTMLElement): Promise<void> {
  if (!staffToken()) return signIn(main);
  try {
    await call('/v1/staff/incidents/departments');
  } catch (err) {
    const refused = err instanceof StaffError && err.status === 403;
    return signIn(
      main,
      refused ? t('staff:citizensRefused') : t('staff:badToken', { detail: (err as Error).message }),
    );
  }
  const live = new StreamClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    token: staffToken,
  });
  const queue = new Queue(live);
  const devices = new DevicesView(live);
  const views: Record<(typeof TABS)[number], () => HTMLElement> = {
    queue: () => queue.el,
    devices: () => (void devices.load(), devices.el),
    keys: keysView,
    dead: deadLettersView,
    audit: () =>
      auditView((id) => {
        show('queue');
        void queue.open(id);
      }),
  };
  const body = h('div', { role: 'tabpanel', id: 'staff-tabpanel' });
  // The views are tabs (arrow keys move between them); signing out is an action beside them,
  // not a tab, so it stays outside the tab list.
  const tabs = tabList(
    TABS.map((id) => ({ id, label: t(`staff:tabs.${id}`) })),
    'staff-tabpanel',
    (tab) => show(tab),
  );
  const show = (tab: (typeof TABS)[number]) => {
    tabs.select(tab);
    fill(body, views[tab]());
  };
  const nav = h(
    'nav',
    { class: 'staff-tabs', 'aria-label': t('staff:title') },
    tabs.el,
    h(
      'button',
      {
        type: 'button',
        class: 'link staff-signout',
        onclick: () => (localStorage.removeItem(TOKEN_KEY), location.reload()),
      },
      t('staff:signOut'),
    ),
  );
  fill(main, nav, body);
  show('queue');
  await queue.start();
}

function signIn(main: HTMLElement, message?: string): void {
  const token = h('input', { name: 'token', type: 'password', required: true, autocomplete: 'off' });
  fill(
    main,
    h(
      'form',
      {
        class: 'panel staff-signin',
        onsubmit: (e: Event) => {
          e.preventDefault();
          localStorage.setItem(TOKEN_KEY, token.value.trim());
          void enter(main);
        },
      },
      h('h2', {}, t('staff:signIn')),
      message ? h('p', { class: 'staff-message error', role: 'alert' }, message) : null,
      h('label', {}, t('staff:token'), token),
      h('button', { type: 'submit' }, t('staff:enter')),
    ),
  );
}
