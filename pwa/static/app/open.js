// @ts-check
// The page a calendar event links to (/c/{feedToken}/open#/play). The feed never
// carries the plan's token, so this page looks for a plan this browser already
// holds whose calendar is this feed, and hands over to it; otherwise it says how
// to open the plan. The server is asked only about plans this phone already has.
const feed = (location.pathname.match(/^\/c\/([A-Za-z0-9_-]+)\/open\/?$/) || [])[1];
const screen = /^#\/(play|checkin|today|reminders)$/.test(location.hash) ? location.hash : '#/today';
const opening = document.getElementById('opening');
const elsewhere = document.getElementById('elsewhere');

/** knownPlans lists the plan tokens this browser holds: remembered by the app
 *  (aftercare.plan.*), with reminders on (aftercare.push.*), or kept offline by
 *  the service worker (its copy of /api/p/{token}). */
async function knownPlans() {
  const tokens = new Set();
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const m = (localStorage.key(i) || '').match(/^aftercare\.(?:plan|push)\.([A-Za-z0-9_-]+)$/);
      if (m) tokens.add(m[1]);
    }
  } catch {
    // Storage blocked: try the offline copies.
  }
  try {
    if ('caches' in window) {
      const cache = await caches.open('aftercare-data-v1');
      for (const req of await cache.keys()) {
        const m = new URL(req.url).pathname.match(/^\/api\/p\/([A-Za-z0-9_-]+)$/);
        if (m) tokens.add(m[1]);
      }
    }
  } catch {
    // No cache storage.
  }
  return [...tokens];
}

/** belongs asks the plan's own API (which this browser may ask: it holds the plan) for its feed. */
async function belongs(token) {
  try {
    const res = await fetch(`/api/p/${encodeURIComponent(token)}`, { credentials: 'same-origin' });
    if (res.status === 404 || res.status === 410) {
      try {
        localStorage.removeItem(`aftercare.plan.${token}`);
      } catch {
        // Nothing to forget.
      }
      return false;
    }
    if (!res.ok) return false;
    const plan = await res.json();
    return Boolean(plan && plan.calendar && plan.calendar.url && new URL(plan.calendar.url).pathname === `/c/${feed}.ics`);
  } catch {
    return false;
  }
}

async function main() {
  if (!feed) return;
  opening.hidden = false;
  elsewhere.hidden = true;
  for (const token of await knownPlans()) {
    if (await belongs(token)) {
      location.replace(`/p/${token}${screen}`);
      return;
    }
  }
  opening.hidden = true;
  elsewhere.hidden = false;
  document.documentElement.dataset.ready = '1';
}

main();

export {}; // a module: its names stay out of the page's global scope
