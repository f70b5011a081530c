// @ts-check
// aftercare client: loads the plan named by the link (/p/{token}), then shows one
// screen per hash route (#/today, #/play, #/checkin, #/urgent, #/reminders, #/about).
import { h } from '../shared/dom.js';
import { dayKey, daysBetween, hourIn, formatWhen, formatDay, relativeDay } from '../shared/dates.js';
import { firstName, plural } from './text.js';
import * as api from './api.js';
import { keepTrying, onChange, flushedElsewhere, pending, forget } from './outbox.js';
import { renderUrgent, callCard } from './safety.js';
import { unlockSpeech } from './speech.js';
import { applyStudio, studioBar, bookingAction } from './studio.js';

// Screens not needed for the first paint load on demand (the service worker precaches them).
const loadPlayer = () => import('./player.js');
const loadCheckin = () => import('./checkin.js');
const loadReminders = () => import('./reminders.js');

const app = document.getElementById('app');
const token = (location.pathname.match(/^\/p\/([A-Za-z0-9_-]+)\/?$/) || [])[1] || null;

/** ctx is what every screen gets: the plan, and ways to change it or move on.
 *  @type {ClientContext} */
const ctx = {
  token,
  plan: null,
  flash: null, // one-shot state for the next screen (e.g. the check-in just sent)
  show(hash, flash) {
    ctx.flash = flash;
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  addCompletion(c) {
    ctx.plan.completions = [...(ctx.plan.completions || []), c];
  },
  addCheckin(c) {
    ctx.plan.checkins = [...(ctx.plan.checkins || []), c];
  },
  /** deliveryNotice says whether this plan's check-ins have reached the therapist (see below). */
  deliveryNotice: () => deliveryNotice(),
};

let current = null; // the mounted screen, for cleanup
let banner = null; // the offline banner while offline

boot();

async function boot() {
  if (token) addManifestLink();
  registerServiceWorker();
  watchConnection();
  if (!token) return showEnd(notFound(false));
  const waiting = pending(token); // read the outbox while the plan loads, not after
  let plan;
  try {
    plan = await api.getPlan(token);
  } catch (err) {
    if (err.status === 404 || err.status === 410) {
      await forgetLocalData();
      return showEnd(notFound(true));
    }
    return showEnd(loadError());
  }
  ctx.plan = await withPending(plan, waiting);
  applyStudio(plan.studio);
  remember(true);
  window.addEventListener('hashchange', () => route());
  await route(true);
  document.documentElement.dataset.ready = '1';

  cacheForOffline();
  onChange(followOutbox);
  keepTrying();
  if (window.Notification && Notification.permission === 'granted') {
    loadReminders().then((m) => m.syncSubscription(token)).catch(() => {});
  }
}

/** remember keeps (or forgets) that this browser holds the plan: a calendar event's link
 *  (/c/{feed}/open) finds it here, since the calendar never carries the plan's token. */
function remember(on) {
  try {
    if (on) localStorage.setItem(`aftercare.plan.${token}`, '1');
    else localStorage.removeItem(`aftercare.plan.${token}`);
  } catch {
    // Storage blocked: calendar links then ask for the therapist's link.
  }
}

/** The HTML is the same for every plan, so the per-plan manifest link is added here. */
function addManifestLink() {
  const link = /** @type {HTMLLinkElement | null} */ (document.querySelector('link[rel=manifest]')) || h('link', { rel: 'manifest' });
  link.href = `${location.pathname.replace(/\/+$/, '')}/manifest.webmanifest`;
  document.head.append(link);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch(() => {});
  navigator.serviceWorker.addEventListener('message', (e) => {
    const msg = e.data || {};
    if (msg.type === 'navigate' && typeof msg.url === 'string') {
      const target = new URL(msg.url, location.href);
      if (target.origin === location.origin && target.pathname === location.pathname) location.hash = target.hash || '#/today';
      else if (target.origin === location.origin) location.assign(target.href);
    } else if (msg.type === 'outbox-flushed') {
      flushedElsewhere(msg.delivered, msg.dropped);
    }
  });
  if (navigator.serviceWorker.startMessages) navigator.serviceWorker.startMessages();
}

/** cacheForOffline asks the service worker to keep this plan's page, data and pictures. */
async function cacheForOffline() {
  if (!('serviceWorker' in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.ready;
    const images = (ctx.plan.routine?.stretches || []).flatMap((s) => [s.image, s.imageOther]).filter(Boolean);
    reg.active?.postMessage({ type: 'cache-urls', urls: [`/p/${token}`, `/api/p/${token}`, ...images] });
  } catch {
    // No service worker: the app still works online.
  }
}

function watchConnection() {
  let reached = true; // did the last request reach the server?
  const update = () => {
    if (navigator.onLine && reached) {
      banner?.remove();
      banner = null;
    } else if (!banner) {
      banner = h('p', { class: 'offline', role: 'status', 'data-testid': 'offline' },
        'You’re offline — your stretches still work; we’ll send your progress when you’re back.');
      app.prepend(banner);
    }
  };
  window.addEventListener('aftercare-connection', (e) => {
    reached = /** @type {CustomEvent<{online: boolean}>} */ (e).detail.online;
    update();
  });
  window.addEventListener('offline', update);
  window.addEventListener('online', () => {
    reached = true;
    update(); // the outbox retries by itself (outbox.keepTrying)
  });
  update();
}

/** withPending adds completions and check-ins still in the outbox, so "done today" holds offline. */
async function withPending(plan, waiting = pending(token)) {
  plan.completions ||= [];
  plan.checkins ||= [];
  for (const item of await waiting) {
    const list = item.kind === 'completions' ? plan.completions : plan.checkins;
    if (!list.some((x) => x.id === item.id)) list.push(item.body);
  }
  return plan;
}

/** refreshPlan reloads the plan quietly (which also refreshes the offline copy). */
async function refreshPlan() {
  try {
    const plan = await withPending(await api.getPlan(token));
    ctx.plan = plan;
    applyStudio(plan.studio);
    if (screenName() === 'today') route(false, false);
  } catch (err) {
    if (err.status === 404) showEnd(notFound(true));
  }
}

const screenName = () => location.hash.replace(/^#\/?/, '').split('/')[0] || 'today';

const TITLES = { today: 'Today', play: 'Stretches', checkin: 'Check in', urgent: 'Get medical care now', reminders: 'Reminders', about: 'Help' };

let routing = 0; // counts route() calls, so a slow module load can't mount a stale screen

async function route(first = false, moveFocus = !first) {
  const ticket = ++routing;
  const [name, arg] = location.hash.replace(/^#\/?/, '').split('/');
  const flash = ctx.flash;
  ctx.flash = null;
  let key = TITLES[name] ? name : 'today';
  /** @type {AppScreen | HTMLElement | undefined} */
  let screen;
  try {
    if (key === 'play' && arg !== 'done') screen = (await loadPlayer()).renderPlayer(ctx, arg ? parseInt(arg, 10) - 1 || 0 : 0);
    else if (key === 'checkin' && arg === 'done' && flash) screen = (await loadCheckin()).renderResult(ctx, flash);
    else if (key === 'checkin' && arg !== 'done') screen = (await loadCheckin()).renderCheckin(ctx);
    else if (key === 'urgent') screen = renderUrgent(ctx, flash);
    else if (key === 'reminders') screen = (await loadReminders()).renderReminders(ctx);
    else if (key === 'about') screen = renderAbout(ctx.plan);
  } catch {
    screen = h('section', { class: 'stack end' },
      h('h1', { tabindex: '-1' }, 'This page didn’t load'),
      h('p', { class: 'lead' }, 'Please check your connection and try again.'),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, 'Try again'));
  }
  if (!screen) {
    // Unknown route, or a result screen reloaded without its state: go to Today.
    if (location.hash && location.hash !== '#/today') history.replaceState(null, '', '#/today');
    key = 'today';
    screen = renderToday();
  }
  if (ticket !== routing) {
    if (!(screen instanceof Node)) screen.cleanup?.();
    return;
  }
  mount(key, screen, moveFocus);
}

function mount(key, screen, moveFocus) {
  current?.cleanup?.();
  current = screen instanceof Node ? { node: screen } : screen;
  if (!current.node.querySelector('[data-testid=delivery]')) forgetDeliveryNews();
  const full = key === 'play' || key === 'urgent';
  document.body.dataset.screen = key;
  document.title = key === 'today' ? 'aftercare' : `${TITLES[key]} · aftercare`;
  const main = h('main', { id: 'main' }, current.node);
  app.replaceChildren(...[banner, full ? null : studioBar(ctx.plan?.studio), main, full ? null : tabBar(key)].filter(Boolean));
  if (moveFocus) {
    window.scrollTo(0, 0);
    (current.focus || main.querySelector('h1'))?.focus({ preventScroll: true });
  }
}

function showEnd(node) {
  current?.cleanup?.();
  current = null;
  document.body.dataset.screen = 'end';
  app.replaceChildren(...[banner, h('main', { id: 'main' }, node)].filter(Boolean));
  document.documentElement.dataset.ready = '1';
}

function tabBar(active) {
  const tab = (key, label) => h('a', { href: `#/${key}`, 'aria-current': active === key ? 'page' : null }, label);
  return h('nav', { class: 'tabbar', 'aria-label': 'Main' },
    tab('today', 'Today'), tab('checkin', 'Check in'), tab('reminders', 'Reminders'), tab('about', 'Help'));
}

// ---- Today -------------------------------------------------------------------

function renderToday() {
  const p = ctx.plan;
  const tz = p.timeZone;
  const now = new Date();
  const today = dayKey(now, tz);
  const session = new Date(p.sessionAt);
  const dayN = daysBetween(dayKey(session, tz), today) + 1;
  const hoursSince = (now.getTime() - session.getTime()) / 36e5;
  const therapist = p.therapist?.name || 'your therapist';
  const tFirst = firstName(p.therapist?.name) || 'your therapist';
  const hour = hourIn(now, tz);
  const greeting = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
  const name = firstName(p.clientName);

  const studio = p.studio?.name ? ` at ${p.studio.name}` : '';
  let lead;
  if (!p.active) lead = `Your plan from ${therapist}${studio} has ended. You can still do the stretches whenever you like.`;
  else if (dayN < 1) lead = `Your aftercare plan from ${therapist}${studio} starts on ${formatDay(session, tz)}.`;
  else lead = `Day ${Math.min(dayN, p.days)} of ${p.days} of your aftercare plan from ${therapist}${studio}.`;

  // At 24 h and 48 h the check-in matters most, so it comes first.
  const checkin = checkinCard(p, hoursSince, tz);
  const emphasised = checkin.classList.contains('card-accent');
  return h('div', { class: 'stack' },
    h('h1', { tabindex: '-1' }, `${greeting}${name ? `, ${name}` : ''}`),
    h('p', { class: 'lead' }, lead),
    deliveryNotice(),
    emphasised && checkin,
    routineCard(p, today, tz),
    p.notes && h('section', { class: 'card', 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, `A note from ${tFirst}`),
      h('p', { class: 'notes', 'data-testid': 'plan-notes' }, p.notes)),
    dayN === 1 && sessionDayCard(),
    dayN === 2 && h('section', { class: 'card card-soft', 'aria-labelledby': 'day2' },
      h('h2', { id: 'day2' }, 'The day after'),
      h('p', {}, 'Keep drinking water and moving gently. Soreness usually fades within 48 hours.')),
    !emphasised && checkin,
    nextSessionCard(p, now, tz, therapist, tFirst),
    h('section', { class: 'card', 'aria-labelledby': 'rem-title' },
      h('h2', { id: 'rem-title' }, 'Reminders'),
      h('p', {}, 'A gentle nudge when it’s time to stretch or drink water: on this phone, or in your calendar.'),
      h('a', { href: '#/reminders', class: 'btn' }, 'Set up reminders')),
    h('section', { class: 'card', 'aria-labelledby': 'paper-title' },
      h('h2', { id: 'paper-title' }, 'On paper'),
      h('p', {}, 'Your stretches with pictures, the warning signs and your next session, on two pages.'),
      h('a', { href: `/p/${token}/print`, class: 'btn', 'data-testid': 'print-plan' }, 'Print or save as PDF')),
    h('p', { class: 'disclaimer' },
      'This is aftercare guidance from your therapist, not a diagnosis. If you have ',
      h('a', { href: '#/about' }, 'warning signs'), ', get medical care.'),
    h('button', { type: 'button', class: 'btn btn-danger-quiet', onclick: confirmErase }, 'Erase my plan'));
}

function sessionDayCard() {
  return h('section', { class: 'card card-soft', 'aria-labelledby': 'after-title' },
    h('h2', { id: 'after-title' }, 'After your massage today'),
    h('ul', { class: 'tips' },
      h('li', {}, 'Rest from strenuous activity.'),
      h('li', {}, 'Drink plenty of water.'),
      h('li', {}, 'Ice or heat on tender spots — 15 minutes, wrapped in a cloth.'),
      h('li', {}, 'A warm Epsom-salt bath can ease sore muscles.'),
      h('li', {}, 'A slow, easy walk keeps you from stiffening up.')),
    h('p', { class: 'reassure' }, 'Feeling sore is normal after deep-tissue work. It usually fades within 48 hours.'));
}

function routineCard(p, today, tz) {
  const r = p.routine || {};
  const n = (r.stretches || []).length;
  const doneToday = p.completions.some((c) => dayKey(new Date(c.at), tz) === today);
  const start = () => {
    unlockSpeech(); // the tap lets the player speak on iOS
    location.hash = '#/play';
  };
  return h('section', { class: `card routine${doneToday ? ' is-done' : ''}`, 'aria-labelledby': 'routine-title' },
    h('h2', { id: 'routine-title' }, 'Today’s stretches'),
    h('p', { class: 'routine-name' }, r.name || 'Your routine'),
    h('p', { class: 'meta' }, [r.estimatedMinutes && `About ${r.estimatedMinutes} minutes`, plural(n, 'stretch', 'stretches')].filter(Boolean).join(' · ')),
    doneToday && h('p', { class: 'done-badge', 'data-testid': 'done-today' }, '✓ Done today — well done!'),
    n > 0 && h('button', { type: 'button', class: 'btn btn-primary btn-big', 'data-testid': 'start-routine', onclick: start },
      doneToday ? 'Do them again' : 'Start stretches'),
    h('p', { class: 'hint' }, 'Go gently: a mild pull, never sharp pain.'));
}

function checkinCard(p, hoursSince, tz) {
  const after = (hours) => p.checkins.some((c) => (Date.parse(c.at) - Date.parse(p.sessionAt)) / 36e5 >= hours);
  let text = 'Tell your therapist how you’re doing.';
  let emphasis = false;
  if (hoursSince < 20) {
    text = 'We’ll ask how you feel 24 hours after your massage. You can check in any time.';
  } else if (hoursSince < 44 && !after(20)) {
    text = 'It’s been about a day since your massage. How sore are you?';
    emphasis = true;
  } else if (hoursSince >= 44 && hoursSince < 72 && !after(44)) {
    text = 'It’s been two days since your massage. Soreness should be fading by now — how are you?';
    emphasis = true;
  }
  const last = [...p.checkins].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).pop();
  return h('section', { class: `card${emphasis ? ' card-accent' : ''}`, 'aria-labelledby': 'checkin-title' },
    h('h2', { id: 'checkin-title' }, 'How are you feeling?'),
    h('p', {}, text),
    last && h('p', { class: 'hint' }, `Last check-in ${relativeDay(new Date(last.at), tz)}: soreness ${last.soreness} of 10, pain ${last.pain} of 10.`),
    h('a', { href: '#/checkin', class: `btn${emphasis ? ' btn-primary' : ''}` }, 'Check in'));
}

function nextSessionCard(p, now, tz, therapist, tFirst) {
  const next = p.nextSessionAt ? new Date(p.nextSessionAt) : null;
  const body = next && next > now
    ? [h('p', { class: 'big' }, formatWhen(next, tz)),
      h('p', { class: 'hint' }, `Before it, note where it hurts and what it feels like, so you can tell ${tFirst}.`),
      p.active && h('a', { href: `/api/p/${token}/calendar/next-session.ics`, class: 'btn', 'data-testid': 'next-session-ics' }, 'Add the next session to my calendar')]
    : [h('p', {}, `No session booked yet. It’s a good time to book your next one with ${therapist}.`),
      p.cadenceDays > 0 && h('p', { class: 'hint' }, `${tFirst === 'your therapist' ? 'Your therapist' : tFirst} suggests a session every ${cadence(p.cadenceDays)}.`),
      bookingAction(p.studio)];
  return h('section', { class: 'card', 'aria-labelledby': 'next-title', 'data-testid': 'next-session' },
    h('h2', { id: 'next-title' }, 'Your next session'), body);
}

function cadence(days) {
  if (days === 7) return 'week';
  if (days % 7 === 0) return `${days / 7} weeks`;
  return plural(days, 'day', 'days');
}

// ---- Delivery notice ------------------------------------------------------------
// A check-in in the outbox has not reached the therapist. Today, the urgent screen and
// the check-in result say so plainly (with a call button for a red flag) until the
// outbox delivers it, then "Sent to …" until the client moves on to another screen.

const delivery = {
  waiting: [], // this plan's check-ins still in the outbox
  sent: false, // one the client was told about has been delivered since
  dropped: [], // refused for good by the server: [{item, message}]
};

const isMine = (item) => item && item.token === token && item.kind === 'checkins';
const hasRedFlag = (item) => !!(item.body && item.body.redFlags && item.body.redFlags.length);

/** followOutbox keeps the notices and the plan in step with the outbox. */
function followOutbox({ waiting, delivered, dropped }) {
  const known = new Set(delivery.waiting.map((item) => item.id));
  delivery.waiting = waiting.filter(isMine);
  if (delivered.some((item) => isMine(item) && known.has(item.id))) delivery.sent = true;
  delivery.dropped.push(...dropped.filter((d) => isMine(d.item)));
  for (const node of document.querySelectorAll('[data-testid=delivery]')) fillNotice(node);
  if (ctx.plan && (delivered.length || dropped.length)) refreshPlan();
}

/** forgetDeliveryNews clears "sent" and "could not be sent" once the client moves on. */
function forgetDeliveryNews() {
  delivery.sent = false;
  delivery.dropped = [];
}

function deliveryNotice() {
  const node = h('section', { class: 'delivery', role: 'status', 'data-testid': 'delivery' });
  fillNotice(node);
  return node;
}

function fillNotice(node) {
  const therapist = ctx.plan?.therapist?.name || 'your therapist';
  const number = ctx.plan?.emergencyNumber || '112';
  const call = h('a', { class: 'btn btn-call', href: `tel:${number}` }, `Call ${number}`);
  const careLink = h('a', { href: '#/about' }, 'When to get medical care');
  let state = '';
  let kids = [];
  if (delivery.waiting.length) {
    const urgent = delivery.waiting.some(hasRedFlag);
    state = 'waiting';
    kids = [
      h('p', { class: 'delivery-title' }, `Your answers have not reached ${therapist} yet.`),
      h('p', {}, urgent ? 'We keep trying. If you are worried, call:' : 'We keep trying.'),
      urgent ? call : h('p', {}, careLink),
    ];
  } else if (delivery.dropped.length) {
    const urgent = delivery.dropped.some((d) => hasRedFlag(d.item));
    state = 'dropped';
    kids = [
      h('p', { class: 'delivery-title' }, `Your check-in could not be sent to ${therapist}: ${delivery.dropped[0].message}`),
      h('p', {}, urgent ? 'If you are worried, call:' : `Please tell ${therapist} yourself.`),
      urgent && call,
    ];
  } else if (delivery.sent) {
    state = 'sent';
    kids = [h('p', { class: 'delivery-title' }, `✓ Sent to ${therapist}.`)];
  }
  node.dataset.state = state;
  node.hidden = !state;
  node.replaceChildren(...kids.filter(Boolean));
}

// ---- Erasing the plan -----------------------------------------------------------

function confirmErase() {
  if (typeof HTMLDialogElement !== 'function') {
    if (window.confirm('Erase your plan and everything you entered? This can’t be undone.')) erase();
    return;
  }
  const status = h('p', { class: 'status', role: 'status' });
  const keep = h('button', { type: 'button', class: 'btn btn-primary', autofocus: true }, 'Keep my plan');
  const yes = h('button', { type: 'button', class: 'btn btn-danger' }, 'Erase everything');
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'erase-title' },
    h('h2', { id: 'erase-title' }, 'Erase your plan?'),
    h('p', {}, 'This deletes your plan, your stretch log and your check-ins from this phone and from your therapist’s app, and turns off reminders. Your therapist will no longer see your progress.'),
    h('p', {}, h('strong', {}, 'This can’t be undone.')),
    status, keep, yes);
  keep.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', () => erase(dialog, yes, status));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

async function erase(dialog, button, status) {
  if (button) button.disabled = true;
  if (status) status.textContent = 'Erasing…';
  try {
    await api.erasePlan(token);
  } catch (err) {
    if (err.status !== 404) {
      const text = err.status === 0 ? 'You need to be online to erase your plan.' : `Couldn’t erase: ${err.message}`;
      if (status) status.textContent = text;
      else window.alert(text);
      if (button) button.disabled = false;
      return;
    }
  }
  dialog?.close();
  await forgetLocalData();
  await loadReminders().then((m) => m.forgetPush(token)).catch(() => {});
  ctx.plan = null;
  showEnd(h('section', { class: 'stack end' },
    h('h1', {}, 'Your plan has been erased'),
    h('p', { class: 'lead' }, 'Everything is deleted from this phone and from your therapist’s app.'),
    h('p', {}, 'If you added aftercare to your Home Screen, you can remove the icon now. Take care!')));
}

/** forgetLocalData drops this plan's offline copies and waiting items. */
async function forgetLocalData() {
  remember(false);
  try {
    await forget(token);
    if (!('caches' in window)) return;
    for (const name of await caches.keys()) {
      if (!name.startsWith('aftercare-')) continue;
      const cache = await caches.open(name);
      await cache.delete(`/p/${token}`);
      await cache.delete(`/api/p/${token}`);
    }
  } catch {
    // Storage unavailable: nothing stored either.
  }
}

// ---- Other screens ------------------------------------------------------------------

function renderAbout(plan) {
  return h('div', { class: 'stack' },
    h('h1', { tabindex: '-1' }, 'Warning signs and help'),
    callCard('Get medical care now if you have', plan?.emergencyNumber),
    h('section', { class: 'card', 'aria-labelledby': 'contact-title' },
      h('h2', { id: 'contact-title' }, 'Contact your therapist if'),
      h('ul', {},
        h('li', {}, 'You’re still very sore two days after your massage.'),
        h('li', {}, 'Pain gets worse instead of better.'),
        h('li', {}, 'A stretch brings on pain shooting down your leg, or new numbness or tingling.'),
        h('li', {}, 'You’re unsure about any stretch.'))),
    h('section', { class: 'card', 'aria-labelledby': 'safe-title' },
      h('h2', { id: 'safe-title' }, 'Stretching safely'),
      h('p', {}, 'A stretch should feel like a gentle pull — never sharp or shooting pain. Breathe slowly and don’t bounce. Stop if you feel pain shooting down your leg, or new numbness or tingling.')),
    h('section', { class: 'card', 'aria-labelledby': 'app-title' },
      h('h2', { id: 'app-title' }, 'About this app'),
      h('p', {}, 'This is aftercare guidance from your therapist, not a diagnosis.'),
      h('p', {}, 'Your plan, stretch log and check-ins are kept by your therapist. You can erase them at any time with “Erase my plan” at the bottom of the Today page.')));
}

function notFound(hadToken) {
  return h('section', { class: 'stack end', 'data-testid': 'not-found' },
    hadToken
      ? [h('h1', {}, 'This plan link is not valid any more'), h('p', { class: 'lead' }, 'Please ask your therapist for a new one.')]
      : [h('h1', {}, 'Open the link from your therapist'), h('p', { class: 'lead' }, 'This app works with the personal link or QR code your therapist gives you.')],
    callCard('If you have warning signs, get medical care now'));
}

function loadError() {
  return h('section', { class: 'stack end' },
    h('h1', {}, 'Can’t load your plan right now'),
    h('p', { class: 'lead' }, navigator.onLine ? 'Something went wrong on our side. Please try again in a moment.' : 'Please check your internet connection and try again.'),
    h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, 'Try again'));
}
