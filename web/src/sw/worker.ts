// The service worker (/sw.js, built by web/build.ts as its own bundle). It keeps the app shell
// (the page, its hashed assets, manifest and icons) so the dashboard opens offline; keeps the
// last answer of the public data GETs so an offline page shows the last known data (and tells the
// page it is stale); shows push notifications and opens their view when tapped. Each build
// writes a different precache list into this file, so the browser sees a new worker, installs it
// and drops the old shell: a new build replaces the cached one by itself.

// Filled in by web/build.ts (esbuild `define`).
declare const __PRECACHE__: string[];
declare const __BUILD_ID__: string;

// The DOM library has no worker-scope types; the few used here.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly clientId: string;
  respondWith(r: Response | Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  readonly location: Location;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    get(id: string): Promise<WindowClient | undefined>;
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', l: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', l: (e: FetchEvent) => void): void;
  addEventListener(type: 'push', l: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', l: (e: NotificationEvent) => void): void;
  addEventListener(type: 'message', l: (e: ExtendableMessageEvent) => void): void;
}

const sw = self as unknown as WorkerScope;
const SHELL = `citystream-shell-${__BUILD_ID__}`;
const DATA = 'citystream-data-v1';
/** Data answers kept for offline use (oldest dropped first). */
const DATA_ENTRIES = 200;
const CACHED_AT = 'x-citystream-cached-at';
/** The page's message asking a waiting worker to take over now. */
const SKIP_WAITING = 'citystream:skip-waiting';

sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(__PRECACHE__))
      .then(() => sw.skipWaiting()),
  );
});

// Asked again by the page while this worker waits (web/src/sw/register.ts). Chromium decides
// whether a waiting worker may take over when skipWaiting() is called and then only once the old
// worker goes idle: an update whose install ended during one of the old worker's fetch events,
// with the page fetching every few seconds, waited for Chromium's five-minute limit. A repeated
// skipWaiting() makes it decide again.
sw.addEventListener('message', (e) => {
  if ((e.data as { type?: unknown } | null)?.type === SKIP_WAITING) e.waitUntil(sw.skipWaiting());
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('citystream-shell-') && k !== SHELL).map((k) => caches.delete(k)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

/** Public data worth showing offline; nothing personal (bookings, payments, tokens) is kept. */
function keepsData(url: URL, request: Request): boolean {
  if (url.pathname.startsWith('/v1/air/') || url.pathname.startsWith('/v1/cameras')) return true;
  // A signed-in reporter sees contact details in their own incidents: not kept.
  return url.pathname.startsWith('/v1/incidents') && !request.headers.has('authorization');
}

sw.addEventListener('fetch', (e) => {
  const request = e.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate') {
    e.respondWith(page(request));
  } else if (
    url.pathname.startsWith('/assets/') ||
    url.pathname.startsWith('/icons/') ||
    url.pathname.endsWith('.webmanifest')
  ) {
    e.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
  } else if (keepsData(url, request)) {
    e.respondWith(data(request, e.clientId));
  }
});

/** The page from the network (so a deploy shows at once), else the cached shell. */
async function page(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const shell = await caches.open(SHELL);
    const hit = (await shell.match('/')) ?? (await shell.match('/index.html'));
    if (hit) return hit;
    throw err;
  }
}

/**
 * The key an answer is kept under. A station's history is asked for up to "now" (`from` and `to`
 * change with every request): kept per station and window size instead, so the last one answers
 * offline, and each new request replaces it rather than filling the cache with copies.
 */
function dataKey(request: Request): Request | string {
  const url = new URL(request.url);
  if (!/^\/v1\/air\/stations\/[^/]+\/history$/.test(url.pathname)) return request;
  url.searchParams.delete('from');
  url.searchParams.delete('to');
  return url.href;
}

/** Network first; on failure the last answer, and the page is told it is looking at old data. */
async function data(request: Request, clientId: string): Promise<Response> {
  const cache = await caches.open(DATA);
  const key = dataKey(request);
  try {
    const res = await fetch(request);
    if (res.ok) {
      const headers = new Headers(res.headers);
      headers.set(CACHED_AT, new Date().toISOString());
      const copy = new Response(await res.clone().blob(), {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
      await cache.put(key, copy);
      void trim(cache);
    }
    return res;
  } catch (err) {
    const hit = await cache.match(key);
    if (!hit) throw err;
    const client = clientId ? await sw.clients.get(clientId) : undefined;
    client?.postMessage({ type: 'citystream:stale', url: request.url, cachedAt: hit.headers.get(CACHED_AT) });
    return hit;
  }
}

async function trim(cache: Cache): Promise<void> {
  const keys = await cache.keys();
  for (const k of keys.slice(0, Math.max(0, keys.length - DATA_ENTRIES))) await cache.delete(k);
}

interface Notice {
  title: string;
  body: string;
  url: string;
  tag: string;
}

sw.addEventListener('push', (e) => {
  let n: Notice;
  try {
    n = e.data?.json() as Notice;
  } catch {
    return;
  }
  if (!n?.title) return;
  e.waitUntil(
    sw.registration.showNotification(n.title, {
      body: n.body,
      tag: n.tag,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: n.url },
    }),
  );
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const target = new URL((e.notification.data as { url?: string } | null)?.url ?? '/', sw.location.origin);
  // Only this site's pages: the URL came from a push payload.
  const url = target.origin === sw.location.origin ? target.href : sw.location.origin + '/';
  e.waitUntil(
    (async () => {
      const open = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const client = open[0];
      if (client) {
        await client.focus();
        await client.navigate(url);
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
