// @ts-check
/* aftercare service worker, served at /sw.js with scope /.
 *
 * 1. Caches   — the app shell is precached per VERSION; a plan's page, data and stretch
 *               pictures live in a data cache that survives app updates.
 * 2. Fetch    — plan page, plan data and the app's words (/api/messages/{lang}): network first,
 *               cached copy offline; the clinic content (/api/clinic/{lang}?v=…): kept copy first. /app/*, /shared/*, /img/stretches/* and /img/custom/*: cache
 *               first. Other /api/ calls and non-GET: never cached.
 * 3. Messages — the page asks us to keep a plan's page, data and pictures for offline use.
 * 4. Push     — every push shows a notification (iOS revokes silent subscriptions), in the words
 *               the server wrote (the plan's language), buttons included.
 * 5. Clicks   — open or focus the plan at the right screen.
 * 6. Sync     — send completions and check-ins waiting in the IndexedDB outbox (also after a push).
 *
 * VERSION and SHELL are stamped by the server: VERSION with a hash of the app's files, so every
 * change installs a new worker and a fresh shell cache ('dev' is the unstamped value); SHELL with
 * the content-hashed URLs of the client app's files (served immutable), which install precaches.
 */
'use strict';

/** This worker's global scope, typed as a service worker's. */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

// ---- 1. Caches ----------------------------------------------------------------------

const VERSION = 'dev';
const SHELL_CACHE = `aftercare-shell-${VERSION}`;
const DATA_CACHE = 'aftercare-data-v1';
// Every /p/<token> page is the same HTML; the latest copy is also kept under this key so a
// plan whose own page was never cached can still start offline.
const SHELL_PAGE = '/__aftercare-shell';

// Stamped by the server from the same table that serves the files: the plain path of every
// file of the client app (/app/, /shared/) → its content-hashed URL. Empty when unstamped.
/** @type {Record<string, string>} */
const SHELL = {};

const PLAN_PAGE = /^\/p\/([A-Za-z0-9_-]+)\/?$/;
const PLAN_DATA = /^\/api\/p\/([A-Za-z0-9_-]+)$/;
// A language's message catalog (the app's words); kept by path, one copy per language.
const MESSAGES = /^\/api\/messages\/([A-Za-z0-9-]+)$/;
// A language's clinic content (the check-in's questions, the tier screens, PSFS, preparation).
const CLINIC = /^\/api\/clinic\/([A-Za-z0-9-]+)$/;

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // Hashed URLs never go stale, so the files the page just loaded come from the HTTP cache.
    await cache.addAll(Object.values(SHELL));
    await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL_CACHE, DATA_CACHE];
    for (const name of await caches.keys()) {
      if (name.startsWith('aftercare-') && !keep.includes(name)) await caches.delete(name);
    }
    await sw.clients.claim(); // control the page that registered us, on first load
  })());
});

// ---- 2. Fetch -----------------------------------------------------------------------

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;

  if (request.mode === 'navigate' && PLAN_PAGE.test(url.pathname)) {
    event.respondWith(planPage(event, url));
  } else if (PLAN_DATA.test(url.pathname)) {
    event.respondWith(planData(event, url));
  } else if (MESSAGES.test(url.pathname)) {
    event.respondWith(messages(event, url));
  } else if (CLINIC.test(url.pathname)) {
    event.respondWith(clinic(event, url));
  } else if (url.pathname.startsWith('/api/')) {
    // Never cached: push key, subscriptions, prefs…
  } else if (url.pathname.startsWith('/app/') || url.pathname.startsWith('/shared/')) {
    event.respondWith(shellFile(request, url));
  } else if (url.pathname.startsWith('/img/stretches/')) {
    // A picture's URL carries its version (?v=…): a redrawn picture is a new URL.
    event.respondWith(cacheFirst(request, DATA_CACHE, false));
  } else if (isPhoto(url)) {
    // A therapist's photo is named by its content hash: it never changes.
    event.respondWith(cacheFirst(request, DATA_CACHE, false));
  }
});

const pageKey = (url) => url.pathname.replace(/\/+$/, '');
/** isPhoto: a therapist's own stretch photo, /img/custom/<sha256>.jpg (or .png). */
const isPhoto = (url) => /^\/img\/custom\/[0-9a-f]{64}\.(jpg|png)$/.test(url.pathname);

/** A response we may store: a plain same-origin 200 that was not redirected. */
const storable = (res) => res && res.ok && res.type === 'basic' && !res.redirected;

async function planPage(event, url) {
  try {
    const res = await fetch(event.request);
    if (storable(res)) event.waitUntil(storePage(pageKey(url), res.clone()));
    return res;
  } catch {
    const cached = (await caches.match(pageKey(url))) || (await caches.match(SHELL_PAGE));
    if (cached) return cached;
    const { lang, text } = await offlineText();
    return new Response(text, {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Language': lang },
    });
  }
}

/** messages answers for a language's catalog: the network's (kept by path), else the kept copy. */
async function messages(event, url) {
  try {
    const res = await fetch(event.request);
    if (storable(res)) event.waitUntil(caches.open(DATA_CACHE).then((c) => c.put(url.pathname, res.clone())));
    return res;
  } catch {
    return (await caches.match(url.pathname)) || new Response('{"error":"offline"}', {
      status: 503,
      headers: { 'Content-Type': 'application/json' },
    });
  }
}

/** clinic answers for a language's clinic content from the kept copy of that version at once
 *  (the emergency screen reads it and must never wait for a network that hangs), else the
 *  network's (kept, older versions dropped), else any kept version offline. */
async function clinic(event, url) {
  const key = url.pathname + url.search;
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(key);
  if (kept) return kept;
  try {
    const res = await fetch(event.request);
    if (storable(res)) {
      await cache.put(key, res.clone());
      await dropOtherVersions(cache, url);
    }
    return res;
  } catch {
    return (await cache.match(url.pathname, { ignoreSearch: true })) ||
      new Response('{"error":"offline"}', { status: 503, headers: { 'Content-Type': 'application/json' } });
  }
}

/**
 * offlineText says "you are offline and this plan is not on this phone" in the phone's
 * language, from a catalog kept for an earlier plan (the nearest to the phone's languages,
 * else any); the brand alone if none is kept.
 * @returns {Promise<{lang: string, text: string}>}
 */
async function offlineText() {
  try {
    const cache = await caches.open(DATA_CACHE);
    /** @type {Record<string, Request>} */
    const kept = {};
    for (const req of await cache.keys()) {
      const m = new URL(req.url).pathname.match(MESSAGES);
      if (m) kept[m[1].toLowerCase()] = req;
    }
    const phone = (sw.navigator.languages || [sw.navigator.language]).map((l) => String(l).toLowerCase());
    const pick = phone.map((l) => kept[l] || kept[l.split('-')[0]] || Object.entries(kept).find(([k]) => k.split('-')[0] === l.split('-')[0])?.[1])
      .find(Boolean) || Object.values(kept)[0];
    const res = pick && (await cache.match(pick));
    const text = res && (await res.json())['sw.offline'];
    if (typeof text === 'string') return { lang: new URL(pick.url).pathname.split('/').pop() || '', text };
  } catch {
    // Nothing kept, or unreadable: the brand alone.
  }
  return { lang: '', text: 'aftercare' };
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

/** plainPath drops a content hash from a file name: /app/app.3f2a1c9b0d4e.js → /app/app.js. */
const plainPath = (pathname) => pathname.replace(/\.[0-9a-f]{12}(\.[^./]+)?$/, '$1');

/**
 * shellFile answers for a file of the app from the shell cache. A plain name gets the current
 * version's copy. A name this version does not have (a page kept offline from an older version
 * of the app) gets the current version of the same file when the network is out of reach.
 */
async function shellFile(request, url) {
  const current = SHELL[url.pathname];
  if (current) {
    const cached = await caches.match(current);
    if (cached) return cached;
  }
  try {
    return await cacheFirst(request, SHELL_CACHE);
  } catch (err) {
    const same = SHELL[plainPath(url.pathname)];
    const cached = same && (await caches.match(same));
    if (cached) return cached;
    throw err;
  }
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

sw.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type === 'cache-urls' && Array.isArray(msg.urls)) event.waitUntil(keepForOffline(msg.urls, msg.fresh === true));
});

/** keepForOffline stores a plan's page, data, words and pictures unless already stored; with
 *  fresh, the plan's data again (the page fetched it before this worker controlled it). */
async function keepForOffline(urls, fresh = false) {
  const cache = await caches.open(DATA_CACHE);
  for (const raw of urls) {
    if (typeof raw !== 'string') continue;
    const url = new URL(raw, sw.location.origin);
    if (url.origin !== sw.location.origin) continue;
    const isPage = PLAN_PAGE.test(url.pathname);
    const isMessages = MESSAGES.test(url.pathname);
    if (!isPage && !isMessages && !PLAN_DATA.test(url.pathname) && !CLINIC.test(url.pathname) && !url.pathname.startsWith('/img/stretches/') && !isPhoto(url)) continue;
    // Pictures and the clinic content carry their version in the URL (?v=…).
    const isPicture = url.pathname.startsWith('/img/stretches/') || CLINIC.test(url.pathname);
    const key = isPage ? pageKey(url) : isPicture || isPhoto(url) ? url.pathname + url.search : url.pathname;
    if (!(fresh && PLAN_DATA.test(url.pathname)) && (await cache.match(key))) continue;
    try {
      const res = await fetch(isPicture || isMessages ? url.pathname + url.search : url.pathname, { credentials: 'same-origin' });
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

/** The buttons this worker knows what to do with (see notificationclick). */
const ACTIONS = ['start', 'done', 'checkin'];

/**
 * actionsOf turns the payload's buttons ({"start": "Start stretches", …}, worded by the
 * server in the plan's language) into the notification's, in their order.
 * @param {unknown} actions
 */
function actionsOf(actions) {
  if (!actions || typeof actions !== 'object') return [];
  return Object.entries(actions)
    .filter(([action, title]) => ACTIONS.includes(action) && typeof title === 'string' && title)
    .map(([action, title]) => ({ action, title }));
}

sw.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = (event.data && event.data.json()) || {};
  } catch {
    // Not JSON: still show something, or iOS counts it as a silent push.
    payload = { body: event.data ? event.data.text() : '' };
  }
  const kind = typeof payload.kind === 'string' ? payload.kind : '';
  const title = typeof payload.title === 'string' && payload.title ? payload.title : 'aftercare';
  // The studio's icon (made from its logo, on this server), else the app's own.
  const icon = samePath(payload.icon).startsWith('/studio/') ? samePath(payload.icon) : '/app/icons/icon-192.png';
  const options = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon,
    badge: '/app/icons/badge-72.png',
    renotify: false,
    data: { url: payload.url, kind, open: httpsPage(payload.open) },
  };
  const tag = payload.tag || kind;
  if (tag) options.tag = String(tag);
  // Actions belong to a client's plan; a therapist's alert just opens the workspace.
  const actions = actionsOf(payload.actions);
  if (actions.length && samePath(payload.url).startsWith('/p/')) options.actions = actions;
  event.waitUntil(Promise.all([
    sw.registration.showNotification(title, options),
    flushOutbox().catch(() => {}), // a push means the network works: send what is waiting
  ]));
});

// ---- 5. Notification clicks -------------------------------------------------------------

sw.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  notification.close();
  if (event.action === 'done') return; // "Done" just dismisses; nothing is recorded

  // "Time to book": the studio's booking page, outside the app.
  const open = notification.data && httpsPage(notification.data.open);
  if (open && !event.action) {
    event.waitUntil(sw.clients.openWindow(open));
    return;
  }
  let target = samePath(notification.data && notification.data.url);
  if (event.action === 'start') target = withHash(target, '#/play');
  else if (event.action === 'checkin') target = withHash(target, '#/checkin');
  event.waitUntil(openOrFocus(target));
});

/** samePath turns a payload URL into a path on this origin ("/p/x#/play"); other sites → "/". */
function samePath(url) {
  if (typeof url !== 'string' || url.startsWith('//')) return '/';
  try {
    const u = new URL(url, sw.location.origin);
    if (u.origin !== sw.location.origin) return '/';
    return u.pathname + u.search + u.hash;
  } catch {
    return '/';
  }
}

/** httpsPage is url when it is an https page (the studio's booking page), else "". */
function httpsPage(url) {
  if (typeof url !== 'string') return '';
  try {
    return new URL(url).protocol === 'https:' ? url : '';
  } catch {
    return '';
  }
}

const withHash = (url, hash) => url.split('#')[0] + hash;

async function openOrFocus(target) {
  const absolute = new URL(target, sw.location.origin);
  const planPath = absolute.pathname.replace(/\/+$/, '');
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const existing = windows.find((c) => new URL(c.url).pathname.replace(/\/+$/, '') === planPath);
  if (existing) {
    // The page switches screens itself (a hash change), without reloading.
    existing.postMessage({ type: 'navigate', url: absolute.href });
    await existing.focus().catch(() => {});
    return;
  }
  await sw.clients.openWindow(absolute.href);
}

// ---- 6. Background Sync: the outbox ---------------------------------------------------
// Same IndexedDB store as app/outbox.js: item = {id, token, kind, body, queuedAt}, the same
// order (red-flag check-ins first) and the same final answers. Only Chromium fires `sync`;
// everywhere, a push (the network works) is also a chance to send what is waiting. While
// the app is open, the page retries by itself.

sw.addEventListener('sync', (e) => {
  const event = /** @type {ExtendableEvent & {tag: string}} */ (e); // SyncEvent: Chromium only, not in the worker types
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

/** outboxUrgent: an emergency sign answered yes (version 1: redFlags; version 2: an emergency answer true). */
const outboxUrgent = (body) => !!body && ((Array.isArray(body.redFlags) && body.redFlags.length > 0) ||
  (!!body.emergency && Object.values(body.emergency).some((v) => v === true)));
const outboxRank = (item) => (item.kind !== 'checkins' ? 2 : outboxUrgent(item.body) ? 0 : 1);

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
    return {
      status: res.status, message: message || `Request failed (${res.status})`,
      limit: res.headers.get('X-Aftercare-Limit') || '', language: res.headers.get('Content-Language') || '',
    };
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
      const { status, message, limit, language } = await postOutboxItem(item);
      const again = !limit && (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500);
      if (again) {
        retry = true;
        continue;
      }
      // 2xx: stored (200 = it was already there). Other 4xx: will never be accepted.
      await outboxRequest(db, 'readwrite', (s) => s.delete(item.id));
      if (status < 300) delivered.push(item);
      else dropped.push({ item, message, status, limit, language }); // the page words the reason (app/text.js reason)
    }
  } finally {
    db.close();
  }
  if (delivered.length || dropped.length) {
    for (const client of await sw.clients.matchAll({ type: 'window' })) {
      client.postMessage({ type: 'outbox-flushed', delivered, dropped });
    }
  }
  if (retry) throw new Error('outbox: some items must wait');
}
