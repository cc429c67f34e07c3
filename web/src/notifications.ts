// The header's "Notifications" control: turns Web Push on or off for this device (a subscription
// saved for the signed-in user, its notifications written in the page's language) and edits their
// preferences: quiet hours, the appointment reminder lead time, cities followed for AQI alerts.
// Also opens the view a tapped notification points at (?open=bookings, ?open=incident&id=...).
import type { Preferences } from '../../modules/push/index.ts';
import { api, ApiError } from './api.ts';
import { CITIES, cityLabel } from './cities.ts';
import { fill, h } from './dom.ts';
import { language, t } from './i18n/index.ts';
import type { SessionStore } from './session.ts';
import { serviceWorkerReady } from './sw/register.ts';

const AQI_LEVELS = [50, 100, 150, 200, 300] as const;
/** The page language this browser's subscription was last saved with. */
const SAVED_LANGUAGE_KEY = 'citystream.push.lang';
const LEAD_MINUTES = [15, 30, 60, 120, 1440] as const;

export function notificationsControl(session: SessionStore): HTMLElement {
  const body = h('div', { class: 'notify-body' });
  const el = h(
    'details',
    { class: 'notify', 'data-testid': 'notifications' },
    h('summary', {}, t('notifications:title')),
    body,
  );
  const render = () => void renderBody(body, session).catch((err: unknown) => fill(body, errorLine(err)));
  el.addEventListener('toggle', () => {
    if (el.open) render();
  });
  session.onChange((s) => {
    // Signed out: this device stops getting that person's notifications (the push service then
    // answers 410 and the hub forgets the subscription).
    if (!s && supported()) {
      localStorage.removeItem(SAVED_LANGUAGE_KEY);
      void currentSubscription().then((sub) => sub?.unsubscribe());
    }
    if (s) followPageLanguage();
    if (el.open) render();
  });
  if (session.get()) followPageLanguage();
  return el;
}

/**
 * Saves the subscription again when the page's language is not the one it was saved with (the
 * language switch reloads the page), so notifications come in the language the person reads.
 * Failing (offline), it tries again on the next load.
 */
function followPageLanguage(): void {
  if (!supported() || localStorage.getItem(SAVED_LANGUAGE_KEY) === language()) return;
  void currentSubscription()
    .then((sub) => sub && saveSubscription(sub))
    .catch(() => undefined);
}

async function saveSubscription(sub: PushSubscription): Promise<void> {
  const lang = language();
  await api('/v1/push/subscriptions', { body: { ...sub.toJSON(), language: lang } });
  localStorage.setItem(SAVED_LANGUAGE_KEY, lang);
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await serviceWorkerReady();
  return reg ? reg.pushManager.getSubscription() : null;
}

async function renderBody(body: HTMLElement, session: SessionStore): Promise<void> {
  if (!session.get()) return fill(body, h('p', { class: 'note' }, t('notifications:signInFirst')));
  if (!supported()) return fill(body, h('p', { class: 'note' }, t('notifications:unsupported')));
  const [prefs, sub] = await Promise.all([api<Preferences>('/v1/push/preferences'), currentSubscription()]);
  const status = h('p', { class: 'notify-status', 'data-testid': 'push-status' });
  const toggle = h('button', { type: 'button' });
  const out = h('p', { class: 'result', role: 'status' });
  const showState = (on: boolean) => {
    const blocked = Notification.permission === 'denied';
    status.textContent = blocked
      ? t('notifications:blocked')
      : t(on ? 'notifications:on' : 'notifications:off');
    toggle.textContent = t(on ? 'notifications:turnOff' : 'notifications:turnOn');
    toggle.dataset.on = String(on);
    // Once blocked, the browser answers every permission request with "denied" without asking:
    // a Turn on button would do nothing. Only the person can lift the block, in site settings.
    toggle.hidden = blocked && !on;
  };
  showState(sub !== null);
  toggle.addEventListener('click', () => {
    toggle.disabled = true;
    const on = toggle.dataset.on === 'true';
    (on ? turnOff() : turnOn())
      .then((now) => showState(now))
      .catch((err: unknown) => fill(out, errorLine(err)))
      .finally(() => (toggle.disabled = false));
  });

  const form = preferencesForm(prefs, out);
  fill(
    body,
    h('div', { class: 'notify-row' }, status, toggle),
    h('p', { class: 'note' }, t('notifications:what')),
    form,
    out,
  );
}

async function turnOn(): Promise<boolean> {
  if ((await Notification.requestPermission()) !== 'granted') return false;
  const reg = await serviceWorkerReady();
  if (!reg) return false;
  const { publicKey } = await api<{ publicKey: string }>('/v1/push/vapid-public-key');
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64Url(publicKey),
    }));
  await saveSubscription(sub);
  return true;
}

async function turnOff(): Promise<boolean> {
  const sub = await currentSubscription();
  if (!sub) return false;
  await api('/v1/push/subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } }).catch(
    (err: unknown) => {
      // Already gone on the hub (another user took this browser, or a 410 removed it): fine.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    },
  );
  await sub.unsubscribe();
  return false;
}

function preferencesForm(prefs: Preferences, out: HTMLElement): HTMLFormElement {
  const quietOn = h('input', { type: 'checkbox', name: 'quiet', checked: prefs.quietHours !== null });
  const from = h('input', { type: 'time', name: 'quietStart', value: prefs.quietHours?.start ?? '22:00' });
  const to = h('input', { type: 'time', name: 'quietEnd', value: prefs.quietHours?.end ?? '07:00' });
  const lead = h(
    'select',
    { name: 'reminder' },
    LEAD_MINUTES.map((m) =>
      h(
        'option',
        { value: m, selected: m === prefs.appointmentReminderMinutes },
        m >= 60
          ? t('notifications:reminderHours', { count: m / 60 })
          : t('notifications:reminderBefore', { count: m }),
      ),
    ),
  );
  const follows = CITIES.map((c) => {
    const current = prefs.aqi.find((f) => f.city === c.id);
    const box = h('input', { type: 'checkbox', name: `aqi-${c.id}`, checked: current !== undefined });
    const level = h(
      'select',
      {
        name: `aqi-level-${c.id}`,
        'aria-label': `${t('notifications:aqiAbove')} (${cityLabel(c)})`,
      },
      AQI_LEVELS.map((l) =>
        h('option', { value: l, selected: l === (current?.above ?? 150) }, t(`notifications:levels.${l}`)),
      ),
    );
    return {
      city: c.id,
      box,
      level,
      row: h('label', { class: 'notify-city' }, box, cityLabel(c), level),
    };
  });
  const form = h(
    'form',
    { class: 'form notify-prefs' },
    h(
      'fieldset',
      {},
      h('legend', {}, t('notifications:quietHours')),
      h('label', {}, quietOn, t('notifications:quietFrom')),
      from,
      h('span', {}, t('notifications:quietTo')),
      to,
    ),
    h('label', {}, t('notifications:reminder'), lead),
    h(
      'fieldset',
      {},
      h('legend', {}, `${t('notifications:aqi')} · ${t('notifications:aqiAbove')}`),
      follows.map((f) => f.row),
    ),
    h('button', { type: 'submit' }, t('common:save')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next: Preferences = {
      quietHours: quietOn.checked ? { start: from.value, end: to.value } : null,
      timeZone: prefs.timeZone,
      appointmentReminderMinutes: Number(lead.value),
      aqi: follows.filter((f) => f.box.checked).map((f) => ({ city: f.city, above: Number(f.level.value) })),
    };
    api<Preferences>('/v1/push/preferences', { method: 'PUT', body: next })
      .then(() => fill(out, t('notifications:saved')))
      .catch((err: unknown) => fill(out, errorLine(err)));
  });
  return form;
}

function errorLine(err: unknown): HTMLElement {
  return h('span', { class: 'error' }, err instanceof ApiError ? err.describe() : String(err));
}

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Shows the view a tapped notification names (?open=...), then drops the query from the address. */
export function openFromNotification(): void {
  const params = new URLSearchParams(location.search);
  const open = params.get('open');
  if (!open) return;
  history.replaceState(null, '', location.pathname + location.hash);
  if (open === 'bookings') {
    document.querySelector<HTMLButtonElement>('[data-tab="bookings"]')?.click();
    document.getElementById('citizen')?.scrollIntoView({ block: 'start' });
  } else if (open === 'incident') {
    document.getElementById('incidents')?.scrollIntoView({ block: 'start' });
  }
}
