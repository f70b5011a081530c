// The outbox: completions and check-ins wait in IndexedDB until the server has them,
// so nothing is lost offline. Each item is sent with its client-chosen id, so a
// repeat is stored once by the server.
//
// The service worker (sw.js) flushes the same store on Background Sync: keep the
// database name, version, store name and item shape below in step with it.
//   item = {id, token, kind: "completions" | "checkins", body, queuedAt}
import { post } from './api.js';

const DB_NAME = 'aftercare';
const STORE = 'outbox';
const SYNC_TAG = 'aftercare-outbox';

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

/** retryable errors are worth another try later; 4xx answers are final, and so is a plan limit's 429. */
const retryable = (err) => !err.limit && (err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500);

/** refused tells the app the server will never take item (a plan limit): it says so and drops it from the screen. */
const refused = (item, err, background) =>
  window.dispatchEvent(new CustomEvent('aftercare-refused', { detail: { kind: item.kind, id: item.id, message: err.message, background } }));

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
 * Resolves {sent, data} | {queued} | {failed} | {rejected, error}.
 */
export async function send(token, kind, body) {
  const item = { id: body.id, token, kind, body, queuedAt: new Date().toISOString() };
  let stored = true;
  try {
    await run('readwrite', (s) => s.put(item));
  } catch {
    stored = false; // Private mode without IndexedDB: try once, directly.
  }
  try {
    const data = await post(token, kind, body);
    if (stored) await remove(item.id);
    return { sent: true, data };
  } catch (err) {
    if (retryable(err)) {
      if (stored) requestSync();
      return stored ? { queued: true } : { failed: true };
    }
    if (stored) await remove(item.id);
    if (err.limit) refused(item, err, false);
    return { rejected: true, error: err };
  }
}

let flushing = null;

/** flush sends every waiting item (all plans on this phone); resolves the number sent. */
export function flush() {
  flushing ||= (async () => {
    let sent = 0;
    let items = [];
    try {
      items = await all();
    } catch {
      return 0;
    }
    for (const item of items) {
      try {
        await post(item.token, item.kind, item.body);
        await remove(item.id);
        sent++;
      } catch (err) {
        if (!retryable(err)) await remove(item.id); // e.g. 404: plan erased; 400: never acceptable
        else if (err.status === 0) break; // offline: the rest would fail too
        if (err.limit) refused(item, err, true);
      }
    }
    return sent;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** forget drops this plan's waiting items (used when the plan is erased). */
export async function forget(token) {
  for (const item of await pending(token)) await remove(item.id);
}

/** requestSync asks the service worker to flush when the connection returns (Chromium only). */
function requestSync() {
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
  navigator.serviceWorker.ready
    .then((reg) => reg.sync && reg.sync.register(SYNC_TAG))
    .catch(() => {});
}
