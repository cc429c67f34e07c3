// The page's side of the installable app: registers /sw.js, says when what is shown came from
// the offline cache (a banner with the time of that data; body[data-stale]), and says when a new
// build has taken over (the worker updates itself; a hidden page reloads at once, a visible one
// offers a reload so nothing typed is lost).
import { h } from '../dom.ts';
import { formatDateTime, language, t } from '../i18n/index.ts';
import './pwa.css';

/** Checks for a new build while the page stays open. */
const UPDATE_EVERY_MS = 30 * 60_000;

let registration: Promise<ServiceWorkerRegistration | null> = Promise.resolve(null);

/** The active registration, or null where service workers are unavailable (plain http, old browsers). */
export const serviceWorkerReady = (): Promise<ServiceWorkerRegistration | null> => registration;

export function registerServiceWorker(): void {
  linkManifestOfLanguage();
  if (!('serviceWorker' in navigator)) return;
  const hadController = navigator.serviceWorker.controller !== null;
  registration = navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then(async (reg) => {
      setInterval(() => void reg.update().catch(() => undefined), UPDATE_EVERY_MS);
      hurryWaiting(reg);
      reg.addEventListener('updatefound', () => hurryWaiting(reg));
      return navigator.serviceWorker.ready;
    })
    .catch(() => null);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // The first install also takes control: only a replacement is a new version.
    if (!hadController) return;
    if (document.visibilityState === 'hidden') location.reload();
    else showBanner('updated', t('notifications:updated'), true);
  });
  navigator.serviceWorker.addEventListener(
    'message',
    (e: MessageEvent<{ type?: string; cachedAt?: string | null }>) => {
      if (e.data?.type !== 'citystream:stale') return;
      document.body.dataset.stale = 'true';
      const at = e.data.cachedAt;
      showBanner(
        'stale',
        at ? t('notifications:stale', { time: formatDateTime(at) }) : t('notifications:staleUnknown'),
        false,
      );
    },
  );
  window.addEventListener('online', () => {
    delete document.body.dataset.stale;
    document.querySelector('.pwa-banner[data-kind="stale"]')?.remove();
  });
}

/**
 * Links the web app manifest of the page's language, so an installed app is named in it
 * (index.html links the Chinese one, the default).
 */
function linkManifestOfLanguage(): void {
  const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
  if (link && language() === 'en') link.href = '/manifest.en.webmanifest';
}

/** How often, and how many times, a waiting new worker is asked to take over. */
const HURRY_EVERY_MS = 3_000;
const HURRY_TIMES = 100;
let hurrying: ReturnType<typeof setInterval> | undefined;

/**
 * While a new build's worker waits, asks it every few seconds to take over (the worker calls
 * skipWaiting() again; web/src/sw/worker.ts says why Chromium needs that). Stops once nothing
 * waits, or after five minutes, when Chromium activates it anyway.
 */
function hurryWaiting(reg: ServiceWorkerRegistration): void {
  if (hurrying !== undefined) return;
  let times = 0;
  hurrying = setInterval(() => {
    if ((!reg.waiting && !reg.installing) || times++ >= HURRY_TIMES) {
      clearInterval(hurrying);
      hurrying = undefined;
      return;
    }
    reg.waiting?.postMessage({ type: 'citystream:skip-waiting' });
  }, HURRY_EVERY_MS);
}

function showBanner(kind: 'stale' | 'updated', text: string, reload: boolean): void {
  const existing = document.querySelector<HTMLElement>(`.pwa-banner[data-kind="${kind}"]`);
  const banner =
    existing ??
    h('div', { class: 'pwa-banner', 'data-kind': kind, 'data-testid': `banner-${kind}`, role: 'status' });
  banner.replaceChildren(h('span', {}, text));
  if (reload)
    banner.append(
      h('button', { type: 'button', onclick: () => location.reload() }, t('notifications:reload')),
    );
  if (!existing) document.body.prepend(banner);
}
