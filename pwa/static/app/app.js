// @ts-check
// aftercare client: loads the plan named by the link (/p/{token}), then shows one
// screen per hash route (#/today, #/play, #/checkin, #/urgent, #/doctor, #/psfs, #/prepare,
// #/reminders, #/about).
import { h } from '../shared/dom.js';
import { dayKey, daysBetween, hourIn, formatWhen, formatDay, relativeDay, setLocale } from '../shared/dates.js';
import * as i18n from '../shared/i18n.js';
import { firstName, reason } from './text.js';
import * as api from './api.js';
import { keepTrying, onChange, flushedElsewhere, pending, forget, urgentCheckin } from './outbox.js';
import { unlockSpeech } from './speech.js';

const { t, tn, tt } = i18n;
i18n.onChange(() => setLocale(i18n.locale())); // dates and times in the app's language

// Screens not needed for the first paint load on demand (the service worker precaches them).
const loadPlayer = () => import('./player.js');
const loadCheckin = () => import('./checkin.js');
const loadReminders = () => import('./reminders.js');
const loadSafety = () => import('./safety.js');
const loadHelp = () => import('./help.js');
const loadTiers = () => import('./tiers.js');
const loadPSFS = () => import('./psfs.js');
const loadPrepare = () => import('./prepare.js');
/** The studio's look and booking, loaded only for a plan whose studio set any (plan.studio).
 *  @type {typeof import('./studio.js') | null} */
let studio = null;
/** @param {any} plan */
async function useStudio(plan) {
  if (!plan.studio) return;
  studio = studio || await import('./studio.js');
  studio.applyStudio(plan.studio);
}

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
  // The page says the plan's language (<html lang>, set by the server); its words load
  // while the plan does. Without a plan, the phone's languages choose.
  const texts = loadTexts(token ? document.documentElement.lang || '' : i18n.match(navigator.languages || []));
  watchConnection(texts);
  if (!token) {
    await texts;
    return showEnd(await notFound(false));
  }
  const waiting = pending(token); // read the outbox while the plan loads, not after
  let plan;
  try {
    plan = await api.getPlan(token);
  } catch (err) {
    await texts;
    if (err.status === 404 || err.status === 410) {
      await forgetLocalData();
      return showEnd(await notFound(true));
    }
    return showEnd(loadError());
  }
  ctx.plan = await withPending(plan, waiting);
  await useStudio(plan).catch(() => {}); // offline without the module: the app's own look
  await texts;
  if (plan.language && plan.language !== i18n.language()) await loadTexts(plan.language);
  remember(true);
  window.addEventListener('hashchange', () => route());
  await route(true);
  document.documentElement.dataset.ready = '1';

  cacheForOffline();
  onChange(followOutbox);
  keepTrying();
  // Reminders turned on here: send the subscription again (decided now, so the module loads
  // only for plans with reminders on this phone).
  if (window.Notification && Notification.permission === 'granted' && pushOn()) {
    loadReminders().then((m) => m.syncSubscription(token)).catch(() => {});
  }
}

/** pushOn: were this plan's reminders turned on on this phone (reminders.js keeps the mark)? */
function pushOn() {
  try {
    return localStorage.getItem(`aftercare.push.${token}`) === 'on';
  } catch {
    return false;
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

/**
 * loadTexts puts the catalog of tag in place (the service worker keeps it offline). If it
 * cannot load, the catalog already in use stays; with none yet, English is tried.
 * @param {string} tag
 */
async function loadTexts(tag) {
  try {
    await i18n.load(i18n.match([tag || 'en']));
  } catch {
    if (!i18n.ids().length) await i18n.load('en').catch(() => {});
  }
}

// The page's own words follow the language: its description, and "Loading your plan…"
// while the plan still loads.
i18n.onChange(() => {
  const desc = /** @type {HTMLMetaElement | null} */ (document.querySelector('meta[name=description]'));
  if (desc && i18n.has('app.description')) desc.content = t('app.description');
  const loading = document.querySelector('.loading');
  if (loading && i18n.has('app.loading')) loading.textContent = t('app.loading');
});

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

/** cacheForOffline asks the service worker to keep this plan's page, data, words and pictures;
 *  fresh: its kept data is out of date (the plan changed language), fetch it again. */
async function cacheForOffline(fresh = false) {
  if (!('serviceWorker' in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.ready;
    const shown = [...(ctx.plan.routine?.stretches || []), ...(ctx.plan.routine?.variations || [])];
    const images = shown.flatMap((s) => [s.image, s.imageOther]).filter(Boolean);
    const clinic = ctx.plan.clinic?.content || `/api/clinic/${encodeURIComponent(i18n.language())}`; // the check-in's words (clinic.js)
    reg.active?.postMessage({ type: 'cache-urls', urls: [`/p/${token}`, `/api/p/${token}`, i18n.messagesURL(i18n.language()), clinic, ...images], fresh });
  } catch {
    // No service worker: the app still works online.
  }
}

function watchConnection(texts) {
  let reached = true; // did the last request reach the server?
  const update = () => {
    if (navigator.onLine && reached) {
      banner?.remove();
      banner = null;
    } else if (!banner) {
      banner = h('p', { class: 'offline', role: 'status', 'data-testid': 'offline' });
      app.prepend(banner);
      texts.then(() => { if (banner) banner.textContent = t('app.offline'); });
    }
  };
  i18n.onChange(() => { if (banner) banner.textContent = t('app.offline'); });
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

/** withPending adds what is still in the outbox, so "done today" holds offline: completions,
 *  check-ins, and an activities rating or a preparation (then not asked for again). */
async function withPending(plan, waiting = pending(token)) {
  plan.completions ||= [];
  plan.checkins ||= [];
  for (const item of await waiting) {
    const clinic = plan.clinic || {};
    if (item.kind === 'psfs') plan.clinic = { ...clinic, psfsDue: '', psfsLatest: item.body, psfsFirst: clinic.psfsFirst || item.body };
    else if (item.kind === 'preparation') plan.clinic = { ...clinic, preparationDue: false, preparation: item.body };
    else {
      const list = item.kind === 'completions' ? plan.completions : plan.checkins;
      if (!list.some((x) => x.id === item.id)) list.push(item.body);
    }
  }
  return plan;
}

/** refreshPlan reloads the plan quietly (which also refreshes the offline copy). */
async function refreshPlan() {
  try {
    const plan = await withPending(await api.getPlan(token));
    ctx.plan = plan;
    await useStudio(plan).catch(() => {});
    if (screenName() === 'today') route(false, false);
  } catch (err) {
    if (err.status === 404) showEnd(await notFound(true));
  }
}

const screenName = () => location.hash.replace(/^#\/?/, '').split('/')[0] || 'today';

/** The screens, and the message naming each in the page title (soft hyphens left out). */
const TITLES = { today: 'app.tab.today', play: 'app.title.play', checkin: 'app.tab.checkin', urgent: 'urgent.title', doctor: 'app.title.doctor',
  psfs: 'today.psfs.title', prepare: 'today.prepare.title', reminders: 'app.tab.reminders', about: 'app.tab.help' };
const title = (key) => t(TITLES[key]).replace(/\u00ad/g, '');

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
    else if (key === 'checkin' && arg !== 'done') screen = await (await loadCheckin()).renderCheckin(ctx);
    else if (key === 'urgent') screen = await (await loadTiers()).renderUrgent(ctx, flash);
    else if (key === 'doctor') screen = await (await loadTiers()).renderDoctor(ctx, flash);
    else if (key === 'psfs') screen = await (await loadPSFS()).renderPSFS(ctx);
    else if (key === 'prepare') screen = await (await loadPrepare()).renderPrepare(ctx);
    else if (key === 'reminders') screen = (await loadReminders()).renderReminders(ctx);
    else if (key === 'about') screen = await (await loadHelp()).renderAbout(ctx, switchLanguage);
  } catch {
    screen = h('section', { class: 'stack end' },
      h('h1', { tabindex: '-1' }, t('app.screenError.title')),
      h('p', { class: 'lead' }, t('app.screenError.text')),
      h('p', {}, tn('advice.warningSigns', { Link: h('a', { href: '#/urgent' }, t('advice.warningSigns.link')) })),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, t('app.tryAgain')));
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
  document.title = key === 'today' ? 'aftercare' : `${title(key)} · aftercare`;
  const main = h('main', { id: 'main' }, current.node);
  app.replaceChildren(...[banner, full || !studio ? null : studio.studioBar(ctx.plan?.studio), main, full ? null : tabBar(key)].filter(Boolean));
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
  const tab = (key) => h('a', { href: `#/${key}`, 'aria-current': active === key ? 'page' : null }, t(TITLES[key]));
  return h('nav', { class: 'tabbar', 'aria-label': t('app.tabs') },
    tab('today'), tab('checkin'), tab('reminders'), tab('about'));
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
  const therapist = p.therapist?.name || '';
  const tFirst = firstName(p.therapist?.name);
  const hour = hourIn(now, tz);
  const greeting = `today.greeting.${hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening'}`;
  const name = firstName(p.clientName);

  let lead;
  if (!p.active) lead = tt('today.lead.ended', therapist);
  else if (dayN < 1) lead = tt('today.lead.starts', therapist, { Date: formatDay(session, tz) });
  else lead = tt('today.lead.day', therapist, { Day: Math.min(dayN, p.days), Days: p.days });

  // At 24 h and 48 h the check-in matters most, so it comes first.
  const checkin = checkinCard(p, hoursSince, tz);
  const emphasised = checkin.classList.contains('card-accent');
  return h('div', { class: 'stack' },
    h('h1', { tabindex: '-1' }, name ? t(`${greeting}.named`, { Name: name }) : t(greeting)),
    h('p', { class: 'lead' }, lead),
    deliveryNotice(),
    p.clinic?.preparationDue && prepareCard(p),
    emphasised && checkin,
    routineCard(p, today, tz),
    p.clinic?.psfsDue && psfsCard(p.clinic.psfsDue),
    p.notes && h('section', { class: 'card', 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, tt('today.notes.title', tFirst)),
      h('p', { class: 'notes', 'data-testid': 'plan-notes' }, p.notes)),
    dayN === 1 && sessionDayCard(),
    dayN === 2 && h('section', { class: 'card card-soft', 'aria-labelledby': 'day2' },
      h('h2', { id: 'day2' }, t('aftercare.dayAfter.title')),
      h('p', {}, t('aftercare.dayAfter.text'))),
    !emphasised && checkin,
    nextSessionCard(p, now, tz, therapist, tFirst),
    h('section', { class: 'card', 'aria-labelledby': 'rem-title' },
      h('h2', { id: 'rem-title' }, t('today.reminders.title')),
      h('p', {}, t('today.reminders.text')),
      h('a', { href: '#/reminders', class: 'btn' }, t('today.reminders.button'))),
    h('section', { class: 'card', 'aria-labelledby': 'paper-title' },
      h('h2', { id: 'paper-title' }, t('today.paper.title')),
      h('p', {}, t('today.paper.text')),
      h('a', { href: `/p/${token}/print`, class: 'btn', 'data-testid': 'print-plan' }, t('today.paper.button'))),
    h('p', { class: 'disclaimer' },
      tn('aftercare.disclaimer', { Link: h('a', { href: '#/about' }, t('aftercare.disclaimer.link')) })),
    h('button', { type: 'button', class: 'btn btn-danger-quiet', onclick: confirmErase }, t('erase.button')));
}

function sessionDayCard() {
  return h('section', { class: 'card card-soft', 'aria-labelledby': 'after-title' },
    h('h2', { id: 'after-title' }, t('aftercare.sessionDay.title')),
    h('ul', { class: 'tips' }, ['rest', 'water', 'iceOrHeat', 'bath', 'walk'].map((k) => h('li', {}, t(`aftercare.sessionDay.${k}`)))),
    h('p', { class: 'reassure' }, t('aftercare.sessionDay.reassure')));
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
    h('h2', { id: 'routine-title' }, t('today.routine.title')),
    h('p', { class: 'routine-name' }, r.name || t('today.routine.unnamed')),
    h('p', { class: 'meta' }, [r.estimatedMinutes && t('count.aboutMinutes', { Count: r.estimatedMinutes }), t('count.stretches', { Count: n })].filter(Boolean).join(' · ')),
    doneToday && h('p', { class: 'done-badge', 'data-testid': 'done-today' }, t('today.routine.done')),
    n > 0 && h('button', { type: 'button', class: 'btn btn-primary btn-big', 'data-testid': 'start-routine', onclick: start },
      t(doneToday ? 'today.routine.again' : 'today.routine.start')),
    h('p', { class: 'hint' }, t('aftercare.stretchHint')));
}

function checkinCard(p, hoursSince, tz) {
  // A partial check-in (the warning signs only) has no numbers and is not the day's check-in.
  const done = p.checkins.filter((c) => !c.partial && c.soreness != null);
  const after = (hours) => done.some((c) => (Date.parse(c.at) - Date.parse(p.sessionAt)) / 36e5 >= hours);
  let text = 'today.checkin.any';
  let emphasis = false;
  if (hoursSince < 20) {
    text = 'today.checkin.soon';
  } else if (hoursSince < 44 && !after(20)) {
    text = 'today.checkin.day1';
    emphasis = true;
  } else if (hoursSince >= 44 && hoursSince < 72 && !after(44)) {
    text = 'today.checkin.day2';
    emphasis = true;
  }
  const last = [...done].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).pop();
  return h('section', { class: `card${emphasis ? ' card-accent' : ''}`, 'aria-labelledby': 'checkin-title' },
    h('h2', { id: 'checkin-title' }, t('today.checkin.title')),
    h('p', {}, t(text)),
    last && h('p', { class: 'hint' }, t('today.checkin.last', { When: relativeDay(new Date(last.at), tz), Soreness: last.soreness, Pain: last.pain ?? Math.max(last.backPain ?? 0, last.legPain ?? 0) })),
    h('a', { href: '#/checkin', class: `btn${emphasis ? ' btn-primary' : ''}` }, t('today.checkin.button')));
}

function nextSessionCard(p, now, tz, therapist, tFirst) {
  const next = p.nextSessionAt ? new Date(p.nextSessionAt) : null;
  const body = next && next > now
    ? [h('p', { class: 'big' }, formatWhen(next, tz)),
      h('p', { class: 'hint' }, tt('today.next.prepare', tFirst)),
      !p.clinic?.preparationDue && h('a', { href: '#/prepare', class: 'btn', 'data-testid': 'open-prepare' }, t('today.prepare.button')),
      p.active && h('a', { href: `/api/p/${token}/calendar/next-session.ics`, class: 'btn', 'data-testid': 'next-session-ics' }, t('today.next.addToCalendar'))]
    : [h('p', {}, tt('today.next.none', therapist)),
      p.cadenceDays > 0 && h('p', { class: 'hint' }, cadence(p.cadenceDays, tFirst)),
      studio && studio.bookingAction(p.studio)];
  return h('section', { class: 'card', 'aria-labelledby': 'next-title', 'data-testid': 'next-session' },
    h('h2', { id: 'next-title' }, t('today.next.title')), body);
}

/** psfsCard offers the everyday-activities rating when it is due (first, weekly, before the session). */
function psfsCard(due) {
  return h('section', { class: 'card card-accent', 'aria-labelledby': 'psfs-title', 'data-testid': 'psfs-card' },
    h('h2', { id: 'psfs-title' }, t('today.psfs.title')),
    h('p', {}, t(due === 'first' ? 'today.psfs.first' : 'today.psfs.again')),
    h('a', { href: '#/psfs', class: 'btn btn-primary', 'data-testid': 'open-psfs' }, t('today.psfs.button')));
}

/** prepareCard leads to "Prepare for your session" from the day before it (clinic.preparationDue). */
function prepareCard(p) {
  return h('section', { class: 'card card-accent', 'aria-labelledby': 'prepare-title', 'data-testid': 'prepare-card' },
    h('h2', { id: 'prepare-title' }, t('today.prepare.title')),
    h('p', {}, tt('today.prepare.due', firstName(p.therapist?.name))),
    h('a', { href: '#/prepare', class: 'btn btn-primary', 'data-testid': 'open-prepare' }, t('today.prepare.button')));
}

/** cadence: "Ana suggests a session every week" (every 2 weeks, every 10 days). */
function cadence(days, therapist) {
  if (days === 7) return tt('today.next.weekly', therapist);
  if (days % 7 === 0) return tt('today.next.everyWeeks', therapist, { Count: days / 7 });
  return tt('today.next.everyDays', therapist, { Count: days });
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
const hasRedFlag = (item) => urgentCheckin(item.body);

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
  const therapist = ctx.plan?.therapist?.name || '';
  const number = ctx.plan?.emergencyNumber || '112';
  const call = h('a', { class: 'btn btn-call', href: `tel:${number}` }, t('urgent.call.short', { Number: number }));
  const careLink = h('a', { href: '#/about' }, t('delivery.careLink'));
  let state = '';
  let kids = [];
  if (delivery.waiting.length) {
    const urgent = delivery.waiting.some(hasRedFlag);
    state = 'waiting';
    kids = [
      h('p', { class: 'delivery-title' }, tt('delivery.waiting.title', therapist)),
      h('p', {}, t(urgent ? 'delivery.waiting.urgent' : 'delivery.waiting')),
      urgent ? call : h('p', {}, careLink),
    ];
  } else if (delivery.dropped.length) {
    const urgent = delivery.dropped.some((d) => hasRedFlag(d.item));
    const first = delivery.dropped[0];
    state = 'dropped';
    kids = [
      h('p', { class: 'delivery-title' }, tt('delivery.dropped.title', therapist, { Reason: reason(first.error || { ...first, status: first.status ?? 400 }) })),
      h('p', {}, urgent ? t('delivery.dropped.urgent') : tt('delivery.dropped', therapist)),
      urgent && call,
    ];
  } else if (delivery.sent) {
    state = 'sent';
    kids = [h('p', { class: 'delivery-title' }, tt('delivery.sent', therapist))];
  }
  node.dataset.state = state;
  node.hidden = !state;
  node.replaceChildren(...kids.filter(Boolean));
}

// ---- Erasing the plan -----------------------------------------------------------

function confirmErase() {
  if (typeof HTMLDialogElement !== 'function') {
    if (window.confirm(t('erase.confirm'))) erase();
    return;
  }
  const status = h('p', { class: 'status', role: 'status' });
  const keep = h('button', { type: 'button', class: 'btn btn-primary', autofocus: true }, t('erase.keep'));
  const yes = h('button', { type: 'button', class: 'btn btn-danger' }, t('erase.yes'));
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'erase-title' },
    h('h2', { id: 'erase-title' }, t('erase.title')),
    h('p', {}, t('erase.text')),
    h('p', {}, h('strong', {}, t('erase.final'))),
    status, keep, yes);
  keep.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', () => erase(dialog, yes, status));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

async function erase(dialog, button, status) {
  if (button) button.disabled = true;
  if (status) status.textContent = t('erase.erasing');
  try {
    await api.erasePlan(token);
  } catch (err) {
    if (err.status !== 404) {
      const text = err.status === 0 ? t('erase.offline') : t('erase.failed', { Reason: reason(err) });
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
    h('h1', {}, t('erase.done.title')),
    h('p', { class: 'lead' }, t('erase.done.lead')),
    h('p', {}, t('erase.done.text'))));
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

/**
 * switchLanguage saves the plan's language (its reminders, calendar and printout follow it),
 * reads the plan again in it and draws the screen again, without reloading the page (Help's
 * language card, help.js). Throws what the server or the network said.
 * @param {string} chosen
 */
async function switchLanguage(chosen) {
  const prefs = ctx.plan.prefs || {};
  await api.putPrefs(token, { disabled: prefs.disabled || [], quietStart: prefs.quietStart || '21:00', quietEnd: prefs.quietEnd || '08:00', language: chosen });
  const [plan] = await Promise.all([api.getPlan(token), i18n.load(chosen)]);
  ctx.plan = await withPending(plan);
  await loadCheckin().then((m) => m.forgetDraft()).catch(() => {}); // an unfinished form is in the old language
  await route(false, false);
  cacheForOffline(true); // the plan and the new language's words, for offline use
}

async function notFound(hadToken) {
  const { callCard } = await loadSafety().catch(() => ({ callCard: () => null }));
  return h('section', { class: 'stack end', 'data-testid': 'not-found' },
    hadToken
      ? [h('h1', {}, t('app.notFound.title')), h('p', { class: 'lead' }, t('app.notFound.text'))]
      : [h('h1', {}, t('app.noLink.title')), h('p', { class: 'lead' }, t('app.noLink.text'))],
    callCard(t('urgent.card.heading.noPlan')));
}

function loadError() {
  return h('section', { class: 'stack end' },
    h('h1', {}, t('app.loadError.title')),
    h('p', { class: 'lead' }, t(navigator.onLine ? 'app.loadError.server' : 'app.loadError.offline')),
    h('button', { type: 'button', class: 'btn btn-primary', onclick: () => location.reload() }, t('app.tryAgain')));
}
