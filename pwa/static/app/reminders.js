// @ts-check
// Reminders: Web Push subscription (turned on only from a tap), which kinds to get,
// and quiet hours. iPhones can only get push once the app is on the Home Screen.
import { h } from '../shared/dom.js';
import { base64urlToBytes } from '../shared/base64url.js';
import { formatClock } from '../shared/dates.js';
import { t } from '../shared/i18n.js';
import * as api from './api.js';
import { reason, failure } from './text.js';

/** The reminder kinds a client can switch off (server/model ReminderKinds); their words are
 *  the catalog's reminders.kind.<kind> and reminders.kind.<kind>.when. */
const KINDS = ['stretch', 'hydration', 'checkin', 'followup', 'tip'];

/** @param {string} kind @param {any} plan */
function describe(kind, plan) {
  if (kind !== 'stretch') return t(`reminders.kind.${kind}.when`);
  return plan.stretchTime ? t('reminders.kind.stretch.when', { Time: formatClock(plan.stretchTime) }) : t('reminders.kind.stretch.anyTime');
}

/** What a test reminder's refusal means (server/care test_push.go). */
const TEST_PUSH = { 409: 'error.noDevice', 410: 'error.ended', 429: 'error.tooSoon', 502: 'error.pushService', 503: 'error.pushService', 504: 'error.pushService' };

const onKey = (token) => `aftercare.push.${token}`;
const isOn = (token) => localStorage.getItem(onKey(token)) === 'on';

/** otherPlansOn: does another plan opened on this phone still want reminders? The browser has
 *  one subscription per site, shared by every plan (a returning client may have several). */
function otherPlansOn(token) {
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith('aftercare.push.') && k !== onKey(token) && localStorage.getItem(k) === 'on') return true;
  }
  return false;
}

export const isIOS = () =>
  /iP(hone|ad|od)/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
export const isStandalone = () => /** @type {{standalone?: boolean}} */ (navigator).standalone === true || matchMedia('(display-mode: standalone)').matches;

/** pushSupport is "ok", "add-to-home" (iPhone/iPad in the browser) or "unsupported". */
export function pushSupport() {
  if (isIOS() && !isStandalone()) return 'add-to-home';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  return 'ok';
}

function sameKey(sub, publicKey) {
  const current = sub.options && sub.options.applicationServerKey;
  if (!current) return true; // unknown: keep it
  const a = new Uint8Array(current);
  const b = base64urlToBytes(publicKey);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** withTimeout rejects with slow (a message id) when promise takes longer than ms. */
function withTimeout(promise, ms, slow) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(failure(t(slow))), ms))]);
}

async function currentSubscription() {
  if (pushSupport() !== 'ok') return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

async function subscribe(token, publicKey) {
  const reg = await withTimeout(navigator.serviceWorker.ready, 15000, 'reminders.push.slowStart');
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, publicKey)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ||= await withTimeout(
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlToBytes(publicKey) }),
    20000, 'reminders.push.slowService');
  await api.putSubscription(token, sub.toJSON());
  localStorage.setItem(onKey(token), 'on');
}

/** dropSubscription forgets a subscription that can no longer work, here and on the server. */
async function dropSubscription(token, sub) {
  await api.deleteSubscription(token, sub.endpoint).catch(() => {});
  await sub.unsubscribe().catch(() => {});
}

/**
 * resync sends this phone's subscription to the server again (it upserts by endpoint) and renews it
 * when it was made with another server key (the server's key changed) or the server says its push
 * service refused it. Returns "kept" or "renewed"; throws when it cannot subscribe afresh.
 */
async function resync(token, publicKey) {
  let sub = await currentSubscription();
  if (sub && !sameKey(sub, publicKey)) {
    await dropSubscription(token, sub);
    sub = null;
  }
  if (sub) {
    const answer = await api.putSubscription(token, sub.toJSON());
    if (!(answer && answer.needsResubscribe)) return 'kept';
    await dropSubscription(token, sub);
  }
  await subscribe(token, publicKey);
  return 'renewed';
}

/**
 * syncSubscription runs on every app open: subscriptions vanish (OS updates, cleared data) or stop
 * working (a new server key, a push service that refuses them), so the current one is sent again,
 * or renewed.
 */
export function syncSubscription(token) {
  // One at a time: two at once would each drop the old subscription and renew it.
  syncing ||= (async () => {
    try {
      // Only plans whose reminders were turned on here: another plan on this phone sharing the
      // browser's subscription must not switch this one on by itself.
      if (pushSupport() !== 'ok' || Notification.permission !== 'granted' || !isOn(token)) return;
      await resync(token, (await api.getPushKey()).publicKey);
    } catch {
      // Offline or refused: try again next time the app opens.
    }
  })().finally(() => { syncing = null; });
  return syncing;
}

/** @type {Promise<void> | null} the syncSubscription under way */
let syncing = null;

/** forgetPush removes this phone's subscription (after the plan is erased). */
export async function forgetPush(token) {
  localStorage.removeItem(onKey(token));
  try {
    const sub = await currentSubscription();
    if (sub && !otherPlansOn(token)) await sub.unsubscribe();
  } catch {
    // Nothing more to do.
  }
}

/** renderReminders builds the reminders screen. */
export function renderReminders(ctx) {
  const { token } = ctx;
  const support = pushSupport();
  const box = h('section', { class: 'card', 'aria-labelledby': 'push-title' });
  const status = h('p', { class: 'status', role: 'status' });
  let key = null;
  if (support === 'ok') key = api.getPushKey().catch(() => null); // fetched early: the tap must reach requestPermission at once

  function setStatus(text) {
    status.textContent = text || '';
  }

  async function draw(message) {
    const title = h('h2', { id: 'push-title' }, t('reminders.push.title'));
    if (support === 'add-to-home') {
      box.replaceChildren(title,
        h('p', {}, t('install.intro')),
        h('ol', { class: 'steps' },
          h('li', {}, t('install.share')),
          h('li', {}, t('install.add')),
          h('li', {}, t('install.open'))),
        addToHomePicture(),
        h('p', { class: 'hint' }, t('install.ios')));
      return;
    }
    if (support === 'unsupported') {
      box.replaceChildren(title,
        h('p', {}, t('reminders.unsupported')),
        h('p', { class: 'hint' }, t('reminders.unsupported.hint')));
      return;
    }
    if (Notification.permission === 'denied') {
      box.replaceChildren(title,
        h('p', {}, t('reminders.blocked')),
        h('p', {}, t(isIOS() ? 'reminders.blocked.ios' : 'reminders.blocked.other')),
        status);
      setStatus(message);
      return;
    }
    let sub = null;
    try {
      sub = Notification.permission === 'granted' && isOn(token) ? await currentSubscription() : null;
    } catch {
      sub = null;
    }
    if (sub) {
      box.replaceChildren(title,
        h('p', { class: 'ok-line' }, t('reminders.push.isOn')),
        h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'test-push', onclick: sendTest }, t('reminders.push.test')),
        h('button', { type: 'button', class: 'btn', onclick: turnOff }, t('reminders.push.turnOff')),
        status);
    } else {
      box.replaceChildren(title,
        h('p', {}, t('reminders.push.intro')),
        h('button', { type: 'button', class: 'btn btn-primary btn-big', 'data-testid': 'enable-push', onclick: turnOn }, t('reminders.push.turnOn')),
        status);
    }
    setStatus(message);
  }

  async function turnOn(e) {
    e.currentTarget.disabled = true;
    // Asked straight from the tap: iOS refuses a permission prompt that isn't.
    const asking = Notification.requestPermission();
    setStatus(t('reminders.push.waiting'));
    try {
      const permission = await asking;
      if (permission !== 'granted') {
        return draw(permission === 'denied' ? '' : t('reminders.push.stillOff'));
      }
      setStatus(t('reminders.push.turningOn'));
      const k = (await key) || (await api.getPushKey());
      await subscribe(token, k.publicKey);
      await draw(t('reminders.push.nowOn'));
    } catch (err) {
      await draw(t('reminders.push.onFailed', { Reason: reason(err) }));
    }
  }

  async function turnOff(e) {
    e.currentTarget.disabled = true;
    try {
      const sub = await currentSubscription();
      localStorage.removeItem(onKey(token));
      if (sub) {
        await api.deleteSubscription(token, sub.endpoint).catch(() => {});
        if (!otherPlansOn(token)) await sub.unsubscribe();
      }
      await draw(t('reminders.push.nowOff'));
    } catch (err) {
      await draw(t('reminders.push.offFailed', { Reason: reason(err) }));
    }
  }

  async function sendTest(e) {
    const btn = e.currentTarget;
    btn.disabled = true;
    setStatus(t('reminders.push.sending'));
    try {
      await api.testPush(token);
      setStatus(t('reminders.push.sent'));
    } catch (err) {
      const why = { Reason: reason(err, TEST_PUSH) };
      if (err.status === 0) {
        setStatus(t('reminders.push.offline'));
      } else if (err.status === 409 || err.status === 502) {
        // The server has no device for this plan, or a push service refused one: maybe this phone's.
        setStatus(t('reminders.push.checking', why));
        let how;
        try {
          how = await resync(token, ((await key) || (await api.getPushKey())).publicKey);
        } catch {
          return draw(t('reminders.push.notSent', why)); // shows "Turn on reminders" if the subscription went
        }
        if (how === 'renewed') setStatus(t('reminders.push.renewed', why));
        else if (err.status === 409) setStatus(t('reminders.push.registered', why));
        else setStatus(t('reminders.push.notSent', why));
      } else {
        setStatus(t('reminders.push.notSent', why));
      }
    }
    btn.disabled = false;
  }

  const heading = h('h1', { tabindex: '-1' }, t('reminders.title'));
  // Where push can't reach (an iPhone's Safari tab, notifications blocked, no Push API),
  // the calendar comes first: it needs no install and no permission.
  const calendar = calendarCard(ctx);
  const pushFirst = support === 'ok' && Notification.permission !== 'denied';
  const node = h('section', { class: 'stack' },
    heading,
    h('p', { class: 'lead' }, t('reminders.lead')),
    pushFirst ? [box, calendar] : [calendar, box],
    prefsCard(ctx));
  draw();
  return { node, focus: heading };
}

/** prefsOf keeps the reminder settings of a prefs answer ({disabled, quietStart, quietEnd, language}). */
const prefsOf = (r) => r && { disabled: r.disabled || [], quietStart: r.quietStart, quietEnd: r.quietEnd };

/**
 * addToHomePicture shows Safari's Share menu as the client's iPhone words it: the drawing
 * (/app/addtohome.svg) is placed inline with each data-t text in the app's language,
 * squeezed into its data-fit width where the words are longer than the English.
 */
function addToHomePicture() {
  const box = h('div', { class: 'picture', role: 'img', 'aria-label': t('install.picture') });
  fetch('/app/addtohome.svg').then((r) => (r.ok ? r.text() : '')).then((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.localName !== 'svg') return;
    svg.setAttribute('aria-hidden', 'true');
    for (const el of svg.querySelectorAll('[data-t]')) el.textContent = t(el.getAttribute('data-t') || '');
    const node = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.importNode(svg, true)));
    box.replaceChildren(node);
    for (const el of /** @type {NodeListOf<SVGTextElement>} */ (node.querySelectorAll('text[data-fit]'))) {
      const fit = Number(el.getAttribute('data-fit'));
      if (fit && el.getComputedTextLength() > fit) {
        el.setAttribute('textLength', String(fit));
        el.setAttribute('lengthAdjust', 'spacingAndGlyphs');
      }
    }
  }).catch(() => {
    box.hidden = true; // offline before it was kept: the three steps say it all
  });
  return box;
}

/** isApple: iPhone, iPad or Mac, whose Calendar subscribes to a webcal:// link in one tap. */
const isApple = () => isIOS() || /Macintosh/.test(navigator.userAgent);

/** calendarCard subscribes the phone's calendar to the plan's feed, or stops the feed. */
function calendarCard(ctx) {
  const { token, plan } = ctx;
  const box = h('section', { class: 'card', 'aria-labelledby': 'cal-title', 'data-testid': 'calendar-card' });
  const status = h('div', { class: 'status', role: 'status' });

  function draw() {
    const cal = plan.calendar;
    const title = h('h2', { id: 'cal-title' }, t('calendar.title'));
    if (!cal || !cal.url) {
      box.replaceChildren(title, h('p', {}, t('calendar.unavailable')));
      return;
    }
    const intro = h('p', {}, t('calendar.intro'));
    let how;
    if (isApple()) {
      how = [
        h('a', { class: 'btn btn-primary btn-big', href: cal.webcal, 'data-testid': 'add-calendar' }, t('calendar.add')),
        h('p', { class: 'hint' }, t('calendar.add.apple')),
      ];
    } else {
      const field = h('input', { class: 'link', readonly: true, value: cal.url, id: 'cal-url', 'aria-label': t('calendar.address'), 'data-testid': 'calendar-url' });
      const copy = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'add-calendar' }, t('calendar.copy'));
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(cal.url);
        } catch {
          field.select();
          document.execCommand('copy');
        }
        copy.textContent = t('calendar.copied');
      });
      how = [
        field, copy,
        h('ol', { class: 'steps' },
          h('li', {}, t('calendar.google')),
          h('li', {}, t('calendar.outlook'))),
        h('p', { class: 'hint' }, t('calendar.onApple', { Add: t('calendar.add') })),
      ];
    }
    box.replaceChildren(title, intro, ...how,
      h('p', { class: 'hint' }, t('calendar.caveat')),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'stop-calendar', onclick: stop }, t('calendar.stop')),
      status);
  }

  async function stop(e) {
    e.currentTarget.disabled = true;
    status.textContent = t('calendar.stopping');
    try {
      plan.calendar = (await api.rotateCalendar(token)).calendar;
      draw();
      status.replaceChildren(
        h('p', { class: 'ok-line' }, t('calendar.stopped')),
        h('p', {}, t('calendar.remove')),
        h('ul', {},
          h('li', {}, t('calendar.remove.iphone', { Calendar: t('calendar.name') })),
          h('li', {}, t('calendar.remove.mac')),
          h('li', {}, t('calendar.remove.google')),
          h('li', {}, t('calendar.remove.outlook'))),
        h('p', { class: 'hint' }, t('calendar.again')));
    } catch (err) {
      e.target.disabled = false;
      status.textContent = err.status === 0 ? t('calendar.offline') : t('calendar.failed', { Reason: reason(err) });
    }
  }

  draw();
  return box;
}

function prefsCard(ctx) {
  const { token, plan } = ctx;
  const prefs = plan.prefs || { disabled: [], quietStart: '21:00', quietEnd: '08:00' };
  const status = h('p', { class: 'status', role: 'status' });
  const switches = KINDS.map((kind) => {
    const input = h('input', { type: 'checkbox', role: 'switch', name: 'kind', value: kind, id: `kind-${kind}`, 'aria-describedby': `kind-${kind}-d` });
    input.checked = !(prefs.disabled || []).includes(kind);
    return h('li', {}, h('label', { class: 'switch-row', for: `kind-${kind}` },
      h('span', {}, h('span', { class: 'switch-label' }, t(`reminders.kind.${kind}`)), h('span', { class: 'hint', id: `kind-${kind}-d` }, describe(kind, plan))),
      input));
  });
  const start = h('input', { type: 'time', id: 'quiet-start', value: prefs.quietStart || '21:00', required: true });
  const end = h('input', { type: 'time', id: 'quiet-end', value: prefs.quietEnd || '08:00', required: true });

  let timer = 0;
  const card = h('section', { class: 'card', 'aria-labelledby': 'prefs-title' },
    h('h2', { id: 'prefs-title' }, t('reminders.prefs.title')),
    h('ul', { class: 'switches' }, switches),
    h('fieldset', { class: 'quiet' },
      h('legend', {}, t('reminders.quiet.title')),
      h('p', { class: 'hint' }, t('reminders.quiet.hint')),
      h('div', { class: 'times' },
        h('div', { class: 'field' }, h('label', { for: 'quiet-start' }, t('reminders.quiet.from')), start),
        h('div', { class: 'field' }, h('label', { for: 'quiet-end' }, t('reminders.quiet.until')), end))),
    status);

  card.addEventListener('change', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });

  async function save() {
    if (!start.value || !end.value) {
      status.textContent = t('reminders.quiet.missing');
      return;
    }
    const body = {
      disabled: [...card.querySelectorAll('input[name=kind]')].map((i) => /** @type {HTMLInputElement} */ (i)).filter((i) => !i.checked).map((i) => i.value),
      quietStart: start.value.slice(0, 5),
      quietEnd: end.value.slice(0, 5),
    };
    status.textContent = t('reminders.prefs.saving');
    try {
      plan.prefs = prefsOf(await api.putPrefs(token, body)) || body;
      status.textContent = t('reminders.prefs.saved');
    } catch (err) {
      status.textContent = err.status === 0 ? t('reminders.prefs.offline') : t('reminders.prefs.failed', { Reason: reason(err) });
    }
  }
  return card;
}
