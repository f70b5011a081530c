/* aftercare service worker, served at /sw.js with scope /.
 *
 * 1. Caches   — the app shell is precached per VERSION; a plan's page, data and stretch
 *               pictures live in a data cache that survives app updates.
 * 2. Fetch    — plan page and plan data: network first, cached copy offline.
 *               /app/* and /img/stretches/*: cache first. Other /api/ calls and non-GET: never cached.
 * 3. Messages — the page asks us to keep a plan's page, data and pictures for offline use.
 * 4. Push     — every push shows a notification (iOS revokes silent subscriptions).
 * 5. Clicks   — open or focus the plan at the right screen.
 * 6. Sync     — send completions and check-ins waiting in the IndexedDB outbox (also after a push).
 *
 * VERSION is stamped by the server with a hash of the app's files, so every change to /app/
 * installs a new worker and refreshes the cache-first shell; 'dev' is the unstamped value.
 */
'use strict';

// ---- 1. Caches ----------------------------------------------------------------------

const VERSION = 'dev';
const SHELL_CACHE = `aftercare-shell-${VERSION}`;
const DATA_CACHE = 'aftercare-data-v1';
// Every /p/<token> page is the same HTML; the latest copy is also kept under this key so a
// plan whose own page was never cached can still start offline.
const SHELL_PAGE = '/__aftercare-shell';

const SHELL_FILES = [
  '/app/app.js',
  '/app/dom.js',
  '/app/api.js',
  '/app/outbox.js',
  '/app/safety.js',
  '/app/speech.js',
  '/app/player.js',
  '/app/picture.js',
  '/app/checkin.js',
  '/app/reminders.js',
  '/app/style.css',
  '/app/addtohome.svg',
  '/app/icons/favicon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/icons/maskable-512.png',
  '/app/icons/apple-touch-icon.png',
  '/app/icons/badge-72.png',
];

const PLAN_PAGE = /^\/p\/([A-Za-z0-9_-]+)\/?$/;
const PLAN_DATA = /^\/api\/p\/([A-Za-z0-9_-]+)$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // 'reload' skips the HTTP cache, so a new version never precaches stale files.
    await cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL_CACHE, DATA_CACHE];
    for (const name of await caches.keys()) {
      if (name.startsWith('aftercare-') && !keep.includes(name)) await caches.delete(name);
    }
    await self.clients.claim(); // control the page that registered us, on first load
  })());
});

// ---- 2. Fetch -----------------------------------------------------------------------

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate' && PLAN_PAGE.test(url.pathname)) {
    event.respondWith(planPage(event, url));
  } else if (PLAN_DATA.test(url.pathname)) {
    event.respondWith(planData(event, url));
  } else if (url.pathname.startsWith('/api/')) {
    // Never cached: push key, subscriptions, prefs…
  } else if (url.pathname.startsWith('/app/')) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  } else if (url.pathname.startsWith('/img/stretches/')) {
    // A picture's URL carries its version (?v=…): a redrawn picture is a new URL.
    event.respondWith(cacheFirst(request, DATA_CACHE, false));
  }
});

const pageKey = (url) => url.pathname.replace(/\/+$/, '');

/** A response we may store: a plain same-origin 200 that was not redirected. */
const storable = (res) => res && res.ok && res.type === 'basic' && !res.redirected;

async function planPage(event, url) {
  try {
    const res = await fetch(event.request);
    if (storable(res)) event.waitUntil(storePage(pageKey(url), res.clone()));
    return res;
  } catch {
    const cached = (await caches.match(pageKey(url))) || (await caches.match(SHELL_PAGE));
    return cached || new Response('You’re offline, and this plan isn’t saved on this phone yet. Please connect and try again.', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
}

async function storePage(key, res) {
  const cache = await caches.open(DATA_CACHE);
  await cache.put(SHELL_PAGE, res.clone());
  await cache.put(key, res);
}

async function planData(event, url) {
  const key = url.pathname;
  try {
    const res = await fetch(event.request);
    if (storable(res)) {
      event.waitUntil(caches.open(DATA_CACHE).then((c) => c.put(key, res.clone())));
      return res;
    }
    if (res.status === 404 || res.status === 410) {
      // The plan was erased or never existed: drop the offline copy.
      event.waitUntil(caches.open(DATA_CACHE).then((c) => c.delete(key)));
      return res;
    }
    if (res.status >= 500) {
      const cached = await caches.match(key);
      return cached ? markedOffline(cached) : res;
    }
    return res;
  } catch {
    const cached = await caches.match(key);
    if (cached) return markedOffline(cached);
    return new Response('{"error":"offline"}', {
      status: 503,
      headers: { 'Content-Type': 'application/json' },
    });
  }
}

/** markedOffline tells the page (X-Aftercare-Offline) that it sees the offline copy. */
function markedOffline(cached) {
  const headers = new Headers(cached.headers);
  headers.set('X-Aftercare-Offline', '1');
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

async function cacheFirst(request, cacheName, ignoreSearch = true) {
  const cached = await caches.match(request, { ignoreSearch });
  if (cached) return cached;
  const res = await fetch(request);
  if (storable(res)) {
    const cache = await caches.open(cacheName);
    await cache.put(request, res.clone());
    if (!ignoreSearch) await dropOtherVersions(cache, new URL(request.url));
  }
  return res;
}

/** dropOtherVersions deletes the cached copies of url's path under other versions. */
async function dropOtherVersions(cache, url) {
  for (const old of await cache.keys()) {
    const u = new URL(old.url);
    if (u.pathname === url.pathname && u.search !== url.search) await cache.delete(old);
  }
}

// ---- 3. Messages from the page ---------------------------------------------------------

self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type === 'cache-urls' && Array.isArray(msg.urls)) event.waitUntil(keepForOffline(msg.urls));
});

/** keepForOffline stores a plan's page, data and pictures unless already stored. */
async function keepForOffline(urls) {
  const cache = await caches.open(DATA_CACHE);
  for (const raw of urls) {
    if (typeof raw !== 'string') continue;
    const url = new URL(raw, self.location.origin);
    if (url.origin !== self.location.origin) continue;
    const isPage = PLAN_PAGE.test(url.pathname);
    if (!isPage && !PLAN_DATA.test(url.pathname) && !url.pathname.startsWith('/img/stretches/')) continue;
    const isPicture = url.pathname.startsWith('/img/stretches/');
    const key = isPage ? pageKey(url) : isPicture ? url.pathname + url.search : url.pathname;
    if (await cache.match(key)) continue;
    try {
      const res = await fetch(isPicture ? key : url.pathname, { credentials: 'same-origin' });
      if (!storable(res)) continue;
      if (isPage) await storePage(key, res);
      else await cache.put(key, res);
      if (isPicture) await dropOtherVersions(cache, url);
    } catch {
      // Offline now: the next app open asks again.
    }
  }
}

// ---- 4. Push --------------------------------------------------------------------------

const ACTIONS = {
  stretch: [{ action: 'start', title: 'Start stretches' }, { action: 'done', title: 'Done' }],
  checkin: [{ action: 'checkin', title: 'Check in' }],
};

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = (event.data && event.data.json()) || {};
  } catch {
    // Not JSON: still show something, or iOS counts it as a silent push.
    payload = { body: event.data ? event.data.text() : '' };
  }
  const kind = typeof payload.kind === 'string' ? payload.kind : '';
  const title = typeof payload.title === 'string' && payload.title ? payload.title : 'aftercare';
  const options = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/badge-72.png',
    renotify: false,
    data: { url: payload.url, kind },
  };
  const tag = payload.tag || kind;
  if (tag) options.tag = String(tag);
  // Actions belong to a client's plan; a therapist's alert just opens the workspace.
  if (ACTIONS[kind] && samePath(payload.url).startsWith('/p/')) options.actions = ACTIONS[kind];
  event.waitUntil(Promise.all([
    self.registration.showNotification(title, options),
    flushOutbox().catch(() => {}), // a push means the network works: send what is waiting
  ]));
});

// ---- 5. Notification clicks -------------------------------------------------------------

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  notification.close();
  if (event.action === 'done') return; // "Done" just dismisses; nothing is recorded

  let target = samePath(notification.data && notification.data.url);
  if (event.action === 'start') target = withHash(target, '#/play');
  else if (event.action === 'checkin') target = withHash(target, '#/checkin');
  event.waitUntil(openOrFocus(target));
});

/** samePath turns a payload URL into a path on this origin ("/p/x#/play"); other sites → "/". */
function samePath(url) {
  if (typeof url !== 'string' || url.startsWith('//')) return '/';
  try {
    const u = new URL(url, self.location.origin);
    if (u.origin !== self.location.origin) return '/';
    return u.pathname + u.search + u.hash;
  } catch {
    return '/';
  }
}

const withHash = (url, hash) => url.split('#')[0] + hash;

async function openOrFocus(target) {
  const absolute = new URL(target, self.location.origin);
  const planPath = absolute.pathname.replace(/\/+$/, '');
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const existing = windows.find((c) => new URL(c.url).pathname.replace(/\/+$/, '') === planPath);
  if (existing) {
    // The page switches screens itself (a hash change), without reloading.
    existing.postMessage({ type: 'navigate', url: absolute.href });
    await existing.focus().catch(() => {});
    return;
  }
  await self.clients.openWindow(absolute.href);
}

// ---- 6. Background Sync: the outbox ---------------------------------------------------
// Same IndexedDB store as app/outbox.js: item = {id, token, kind, body, queuedAt}, the same
// order (red-flag check-ins first) and the same final answers. Only Chromium fires `sync`;
// everywhere, a push (the network works) is also a chance to send what is waiting. While
// the app is open, the page retries by itself.

self.addEventListener('sync', (event) => {
  if (event.tag === 'aftercare-outbox') event.waitUntil(flushOutbox());
});

const OUTBOX_TIMEOUT_MS = 15000;

function openOutbox() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('aftercare', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('outbox', { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function outboxRequest(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('outbox', mode);
    const req = fn(tx.objectStore('outbox'));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

const outboxRank = (item) => (item.kind !== 'checkins' ? 2 : item.body && item.body.redFlags && item.body.redFlags.length ? 0 : 1);

/** postOutboxItem returns the HTTP status, or 0 for no answer (also after a timeout). */
async function postOutboxItem(item) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), OUTBOX_TIMEOUT_MS);
  try {
    const res = await fetch(`/api/p/${encodeURIComponent(item.token)}/${item.kind}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(item.body),
      signal: abort.signal,
    });
    let message = '';
    if (!res.ok) {
      try {
        message = (await res.json()).error || '';
      } catch {
        // Not JSON (a proxy's error page).
      }
    }
    return { status: res.status, message: message || `Request failed (${res.status})`, limit: res.headers.get('X-Aftercare-Limit') || '' };
  } catch {
    return { status: 0, message: 'No connection' };
  } finally {
    clearTimeout(timer);
  }
}

/** flushOutbox posts each waiting item; it rejects if any should be retried, so the browser tries again later. */
async function flushOutbox() {
  const db = await openOutbox();
  let retry = false;
  const delivered = [];
  const dropped = [];
  try {
    const items = await outboxRequest(db, 'readonly', (s) => s.getAll());
    items.sort((a, b) => outboxRank(a) - outboxRank(b) || String(a.queuedAt).localeCompare(String(b.queuedAt)));
    for (const item of items) {
      const { status, message, limit } = await postOutboxItem(item);
      const again = !limit && (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500);
      if (again) {
        retry = true;
        continue;
      }
      // 2xx: stored (200 = it was already there). Other 4xx: will never be accepted.
      await outboxRequest(db, 'readwrite', (s) => s.delete(item.id));
      if (status < 300) delivered.push(item);
      else dropped.push({ item, message });
    }
  } finally {
    db.close();
  }
  if (delivered.length || dropped.length) {
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      client.postMessage({ type: 'outbox-flushed', delivered, dropped });
    }
  }
  if (retry) throw new Error('outbox: some items must wait');
}
