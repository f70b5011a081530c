// @ts-check
// The outbox: completions and check-ins wait in IndexedDB until the server has them,
// so nothing is lost offline. Each item is sent with its client-chosen id, so a
// repeat is stored once by the server.
//
// While the page is open the outbox keeps trying by itself (BACKOFF below), and at once
// when the page becomes visible or the browser says it is online: navigator.onLine can
// stay true while the server is unreachable, and only Chromium has Background Sync.
// Where it exists, the service worker (sw.js) also flushes the same store on a sync
// event: keep the database name, version, store name, item shape, the order (byUrgency)
// and which answers are final (retryable) in step with it.
//   item = {id, token, kind: "completions" | "checkins" | "psfs" | "preparation", body, queuedAt}
// (a check-in queued as version 1 still delivers: the server reads both).
import { post } from './api.js';

/** uuid returns a random v4 UUID, also on browsers without crypto.randomUUID (iOS < 15.4): the id
 *  the phone chooses for a completion or check-in, so a resend is stored once. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const DB_NAME = 'aftercare';
const STORE = 'outbox';
const SYNC_TAG = 'aftercare-outbox';

/** Retry delays while the page is open (ms): doubling from 2 s, capped at 30 s. Each wait
 *  is 75–100 % of its step (jitter), so phones cut off by the same outage don't all
 *  return at the same moment. */
const BACKOFF = [2000, 4000, 8000, 16000, 30000];
/** A request that hangs (a dead route, a stalled proxy) counts as failed after this long. */
const TIMEOUT_MS = 15000;

function openDB() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** run opens a transaction, calls fn(store) and resolves with the request's result once committed. */
async function run(mode, fn) {
  const db = await openDB();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const all = () => run('readonly', (s) => s.getAll());
const remove = (id) => run('readwrite', (s) => s.delete(id)).catch(() => {});

/** retryable: no answer (0), 408, 425, 429 and 5xx are worth another try; any other 4xx
 *  is final (the server will never accept the item) and the item is dropped. */
const retryable = (err) => !err.limit && (err.status === 0 || err.status === 408 || err.status === 425 || err.status === 429 || err.status >= 500);

/** urgentCheckin: an emergency sign answered yes (version 1: redFlags; 2: emergency). @param {any} body */
export const urgentCheckin = (body) => !!body && ((Array.isArray(body.redFlags) && body.redFlags.length > 0) ||
  (!!body.emergency && Object.values(body.emergency).some((v) => v === true)));

/** byUrgency sends red-flag check-ins first, then other check-ins, then the rest; oldest first within each. */
const rank = (item) => (item.kind !== 'checkins' ? 2 : urgentCheckin(item.body) ? 0 : 1);
const byUrgency = (a, b) => rank(a) - rank(b) || String(a.queuedAt).localeCompare(String(b.queuedAt));

// ---- Change notices --------------------------------------------------------------

const listeners = new Set();
const firstSend = new Set(); // ids whose first request is in flight: not "waiting" yet

/**
 * onChange(fn) calls fn({waiting, delivered, dropped}) whenever items are queued,
 * delivered or dropped: waiting = items still stored (most urgent first), delivered =
 * items the server now has (with its answer, when this page sent them), dropped =
 * [{item, message, error}] refused for good (error: the ApiError, or {status, limit,
 * message} from the service worker). Returns a function that stops the calls.
 */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function changed(delivered = [], dropped = []) {
  let waiting = [];
  try {
    waiting = (await all()).filter((item) => !firstSend.has(item.id)).sort(byUrgency);
  } catch {
    // Storage unavailable: nothing can wait.
  }
  for (const fn of listeners) fn({ waiting, delivered, dropped });
}

/** flushedElsewhere passes on what the service worker delivered or dropped. */
export function flushedElsewhere(delivered, dropped) {
  return changed(Array.isArray(delivered) ? delivered : [], Array.isArray(dropped) ? dropped : []);
}

// ---- Sending ---------------------------------------------------------------------

/** pending lists the items still waiting for this plan (empty if storage is unavailable). */
export async function pending(token) {
  try {
    return (await all()).filter((item) => item.token === token);
  } catch {
    return [];
  }
}

/**
 * send stores the item first (so closing the app mid-request loses nothing), then posts it.
 * Resolves {sent, data} | {queued} | {failed} | {rejected, error}. A queued item is
 * retried from the start of the backoff, so a new red flag never waits 30 s.
 */
export async function send(token, kind, body) {
  const item = { id: body.id, token, kind, body, queuedAt: new Date().toISOString() };
  let stored = true;
  try {
    await run('readwrite', (s) => s.put(item));
  } catch {
    stored = false; // Private mode without IndexedDB: try once, directly.
  }
  firstSend.add(item.id);
  try {
    const data = await post(token, kind, body, TIMEOUT_MS);
    if (stored) await remove(item.id);
    return { sent: true, data };
  } catch (err) {
    if (retryable(err)) {
      if (!stored) return { failed: true };
      requestSync();
      restartBackoff();
      return { queued: true };
    }
    if (stored) await remove(item.id);
    return { rejected: true, error: err };
  } finally {
    firstSend.delete(item.id);
    changed();
  }
}

let flushing = null;

/** flush sends every waiting item (all plans on this phone), most urgent first.
 *  Resolves {delivered, dropped, waiting} (waiting = how many are left to retry). */
export function flush() {
  flushing ||= (async () => {
    const delivered = [];
    const dropped = [];
    let waiting = 0;
    let items = [];
    try {
      items = (await all()).filter((item) => !firstSend.has(item.id)).sort(byUrgency);
    } catch {
      return { delivered, dropped, waiting };
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      try {
        const answer = await post(item.token, item.kind, item.body, TIMEOUT_MS);
        await remove(item.id);
        delivered.push({ ...item, answer }); // a check-in's answer carries its advice
      } catch (err) {
        if (!retryable(err)) {
          await remove(item.id); // e.g. 404: plan erased; 400: never acceptable
          dropped.push({ item, message: err.message, error: err });
        } else if (err.status === 0) {
          waiting += items.length - i; // no answer: the rest would fail too
          break;
        } else {
          waiting++;
        }
      }
    }
    if (delivered.length || dropped.length) await changed(delivered, dropped);
    return { delivered, dropped, waiting };
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** forget drops this plan's waiting items (used when the plan is erased). */
export async function forget(token) {
  for (const item of await pending(token)) await remove(item.id);
  await changed();
}

// ---- Retrying while the page is open ----------------------------------------------

let step = 0; // index into BACKOFF of the next wait
let timer = null;
let started = false;

function scheduleRetry() {
  clearTimeout(timer);
  const base = BACKOFF[Math.min(step, BACKOFF.length - 1)];
  step++;
  timer = setTimeout(retry, base * (0.75 + Math.random() * 0.25));
}

async function retry() {
  clearTimeout(timer);
  timer = null;
  const { waiting } = await flush();
  if (timer) return; // a newer send or retryNow has scheduled the next try
  if (waiting) {
    requestSync();
    scheduleRetry();
  } else {
    step = 0;
  }
}

/** restartBackoff waits the shortest step before the next try (a new item was queued). */
function restartBackoff() {
  step = 0;
  scheduleRetry();
}

/** retryNow tries at once and restarts the backoff. */
export function retryNow() {
  step = 0;
  return retry();
}

/**
 * keepTrying starts the retries for this page: now, then on the backoff while items
 * wait, and at once when the page becomes visible again or the browser reports it is
 * online (neither is enough alone: see the top of this file).
 */
export function keepTrying() {
  if (started) return;
  started = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryNow();
  });
  window.addEventListener('online', () => retryNow());
  window.addEventListener('pageshow', (e) => e.persisted && retryNow()); // back from the bfcache
  changed().then(retryNow);
}

/** requestSync asks the service worker to flush when the connection returns (Chromium only). */
function requestSync() {
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
  navigator.serviceWorker.ready
    .then((reg) => /** @type {any} */ (reg).sync?.register(SYNC_TAG)) // Background Sync: Chromium only, not in the DOM types
    .catch(() => {});
}
