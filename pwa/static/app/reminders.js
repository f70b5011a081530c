// @ts-check
// Reminders: Web Push subscription (turned on only from a tap), which kinds to get,
// and quiet hours. iPhones can only get push once the app is on the Home Screen.
import { h } from '../shared/dom.js';
import { base64urlToBytes } from '../shared/base64url.js';
import * as api from './api.js';

/** @type {[kind: string, label: string, describe: (plan: any) => string][]} */
const KINDS = [
  ['stretch', 'Stretch reminder', (p) => `Every day at ${p.stretchTime || 'your chosen time'}.`],
  ['hydration', 'Drink water', () => 'On the day of your massage, the day after, and before your next session.'],
  ['checkin', 'How are you?', () => 'A short check-in 24 and 48 hours after your massage.'],
  ['followup', 'Next session', () => 'The day before your next session, or a nudge when it’s time to book.'],
  ['tip', 'Aftercare tips', () => 'Simple things that help on the day of your massage.'],
];

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

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took too long`)), ms))]);
}

async function currentSubscription() {
  if (pushSupport() !== 'ok') return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

async function subscribe(token, publicKey) {
  const reg = await withTimeout(navigator.serviceWorker.ready, 15000, 'Starting the app');
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, publicKey)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ||= await withTimeout(
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlToBytes(publicKey) }),
    20000, 'Connecting to the notification service');
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
export async function syncSubscription(token) {
  try {
    // Only plans whose reminders were turned on here: another plan on this phone sharing the
    // browser's subscription must not switch this one on by itself.
    if (pushSupport() !== 'ok' || Notification.permission !== 'granted' || !isOn(token)) return;
    await resync(token, (await api.getPushKey()).publicKey);
  } catch {
    // Offline or refused: try again next time the app opens.
  }
}

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
    const title = h('h2', { id: 'push-title' }, 'Reminders on this phone');
    if (support === 'add-to-home') {
      box.replaceChildren(title,
        h('p', {}, 'On iPhone and iPad, reminders work once this app is on your Home Screen. It takes three taps:'),
        h('ol', { class: 'steps' },
          h('li', {}, 'In Safari, tap the Share button (a square with an arrow pointing up). If you don’t see it, tap ⋯ first.'),
          h('li', {}, 'Scroll down and tap “Add to Home Screen”, then tap “Add”.'),
          h('li', {}, 'Open aftercare from your Home Screen and come back to this page to turn reminders on.')),
        h('img', { src: '/app/addtohome.svg', class: 'picture', width: 320, height: 220, alt: 'Safari’s Share button at the bottom of the screen, and the “Add to Home Screen” item in the menu it opens.' }),
        h('p', { class: 'hint' }, 'This needs iOS 16.4 or newer.'));
      return;
    }
    if (support === 'unsupported') {
      box.replaceChildren(title,
        h('p', {}, 'This browser can’t show reminders. Everything else in the app works.'),
        h('p', { class: 'hint' }, 'Reminders work in Chrome on Android, and on iPhone once the app is on the Home Screen.'));
      return;
    }
    if (Notification.permission === 'denied') {
      box.replaceChildren(title,
        h('p', {}, 'Notifications are blocked for this app, so reminders can’t reach you.'),
        h('p', {}, isIOS()
          ? 'To allow them: open the Settings app, tap Notifications, find aftercare and turn on Allow Notifications.'
          : 'To allow them: tap the icon next to the web address (or open the app’s settings), choose Notifications and allow them. Then come back here.'),
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
        h('p', { class: 'ok-line' }, '✓ Reminders are on.'),
        h('button', { type: 'button', class: 'btn btn-primary', onclick: sendTest }, 'Send a test reminder'),
        h('button', { type: 'button', class: 'btn', onclick: turnOff }, 'Turn off reminders'),
        status);
    } else {
      box.replaceChildren(title,
        h('p', {}, 'Get a gentle nudge when it’s time to stretch, drink water or check in. Your phone will ask you to allow notifications.'),
        h('button', { type: 'button', class: 'btn btn-primary btn-big', 'data-testid': 'enable-push', onclick: turnOn }, 'Turn on reminders'),
        status);
    }
    setStatus(message);
  }

  async function turnOn(e) {
    e.currentTarget.disabled = true;
    // Asked straight from the tap: iOS refuses a permission prompt that isn't.
    const asking = Notification.requestPermission();
    setStatus('Waiting for your answer…');
    try {
      const permission = await asking;
      if (permission !== 'granted') {
        return draw(permission === 'denied' ? '' : 'Reminders are still off. Tap the button to try again.');
      }
      setStatus('Turning on…');
      const k = (await key) || (await api.getPushKey());
      await subscribe(token, k.publicKey);
      await draw('Reminders are on. Try a test reminder.');
    } catch (err) {
      await draw(`Couldn’t turn on reminders: ${err.message}. Please try again.`);
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
      await draw('Reminders are off.');
    } catch (err) {
      await draw(`Couldn’t turn off reminders: ${err.message}.`);
    }
  }

  async function sendTest(e) {
    const btn = e.currentTarget;
    btn.disabled = true;
    setStatus('Sending…');
    try {
      await api.testPush(token);
      setStatus('Sent. It should arrive within a minute.');
    } catch (err) {
      if (err.status === 0) {
        setStatus('You’re offline. Try again when you’re connected.');
      } else if (err.status === 409 || err.status === 502) {
        // The server has no device for this plan, or a push service refused one: maybe this phone's.
        setStatus(`Couldn’t send: ${err.message}. Checking this phone…`);
        let how;
        try {
          how = await resync(token, ((await key) || (await api.getPushKey())).publicKey);
        } catch {
          return draw(`Couldn’t send: ${err.message}.`); // shows "Turn on reminders" if the subscription went
        }
        if (how === 'renewed') setStatus(`Couldn’t send: ${err.message}. Reminders were renewed on this phone: send a test again.`);
        else if (err.status === 409) setStatus(`Couldn’t send: ${err.message}. This phone is registered again: send a test again.`);
        else setStatus(`Couldn’t send: ${err.message}.`);
      } else {
        setStatus(`Couldn’t send: ${err.message}.`);
      }
    }
    btn.disabled = false;
  }

  const heading = h('h1', { tabindex: '-1' }, 'Reminders');
  // Where push can't reach (an iPhone's Safari tab, notifications blocked, no Push API),
  // the calendar comes first: it needs no install and no permission.
  const calendar = calendarCard(ctx);
  const pushFirst = support === 'ok' && Notification.permission !== 'denied';
  const node = h('section', { class: 'stack' },
    heading,
    h('p', { class: 'lead' }, 'Gentle nudges from your plan. You choose which ones, and when to be left in peace.'),
    pushFirst ? [box, calendar] : [calendar, box],
    prefsCard(ctx));
  draw();
  return { node, focus: heading };
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
    const title = h('h2', { id: 'cal-title' }, 'Reminders in your calendar');
    if (!cal || !cal.url) {
      box.replaceChildren(title, h('p', {}, 'Calendar reminders aren’t available right now. Please try again later.'));
      return;
    }
    const intro = h('p', {}, 'No app to install: your stretches, water, check-ins and next session show up in your own calendar, each with an alert.');
    let how;
    if (isApple()) {
      how = [
        h('a', { class: 'btn btn-primary btn-big', href: cal.webcal, 'data-testid': 'add-calendar' }, 'Add to my calendar'),
        h('p', { class: 'hint' }, 'Calendar opens and asks whether to subscribe: tap Subscribe, then Add.'),
      ];
    } else {
      const field = h('input', { class: 'link', readonly: true, value: cal.url, id: 'cal-url', 'aria-label': 'Calendar address', 'data-testid': 'calendar-url' });
      const copy = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'add-calendar' }, 'Copy the calendar address');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(cal.url);
        } catch {
          field.select();
          document.execCommand('copy');
        }
        copy.textContent = 'Copied ✓';
      });
      how = [
        field, copy,
        h('ol', { class: 'steps' },
          h('li', {}, 'Google Calendar: on a computer, open calendar.google.com, click + next to “Other calendars”, choose “From URL”, paste the address and click “Add calendar”. It then shows on your phone too.'),
          h('li', {}, 'Outlook: Add calendar → Subscribe from web, then paste the address.')),
        h('p', { class: 'hint' }, 'On an iPhone or a Mac, open this page there and tap “Add to my calendar”.'),
      ];
    }
    box.replaceChildren(title, intro, ...how,
      h('p', { class: 'hint' }, 'A calendar can’t tell when you’ve already stretched, so it reminds you anyway. Changes your therapist makes show up within a few hours.'),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'stop-calendar', onclick: stop }, 'Stop calendar reminders'),
      status);
  }

  async function stop(e) {
    e.currentTarget.disabled = true;
    status.textContent = 'Stopping…';
    try {
      plan.calendar = (await api.rotateCalendar(token)).calendar;
      draw();
      status.replaceChildren(
        h('p', { class: 'ok-line' }, '✓ Calendar reminders are stopped: the old calendar address no longer works.'),
        h('p', {}, 'To remove the calendar itself:'),
        h('ul', {},
          h('li', {}, 'iPhone: Settings → Calendar → Accounts → Subscribed Calendars → Aftercare reminders → Delete Account.'),
          h('li', {}, 'Mac: in Calendar, Control-click the calendar → Unsubscribe.'),
          h('li', {}, 'Google Calendar (on a computer): Settings → the calendar → Unsubscribe.'),
          h('li', {}, 'Outlook: right-click the calendar → Remove.')),
        h('p', { class: 'hint' }, 'You can add your calendar again at any time: the new address is above.'));
    } catch (err) {
      e.target.disabled = false;
      status.textContent = err.status === 0 ? 'You’re offline. Try again when you’re connected.' : `Couldn’t stop them: ${err.message}`;
    }
  }

  draw();
  return box;
}

function prefsCard(ctx) {
  const { token, plan } = ctx;
  const prefs = plan.prefs || { disabled: [], quietStart: '21:00', quietEnd: '08:00' };
  const status = h('p', { class: 'status', role: 'status' });
  const switches = KINDS.map(([kind, label, desc]) => {
    const input = h('input', { type: 'checkbox', role: 'switch', name: 'kind', value: kind, id: `kind-${kind}`, 'aria-describedby': `kind-${kind}-d` });
    input.checked = !(prefs.disabled || []).includes(kind);
    return h('li', {}, h('label', { class: 'switch-row', for: `kind-${kind}` },
      h('span', {}, h('span', { class: 'switch-label' }, label), h('span', { class: 'hint', id: `kind-${kind}-d` }, desc(plan))),
      input));
  });
  const start = h('input', { type: 'time', id: 'quiet-start', value: prefs.quietStart || '21:00', required: true });
  const end = h('input', { type: 'time', id: 'quiet-end', value: prefs.quietEnd || '08:00', required: true });

  let timer = 0;
  const card = h('section', { class: 'card', 'aria-labelledby': 'prefs-title' },
    h('h2', { id: 'prefs-title' }, 'Which reminders'),
    h('ul', { class: 'switches' }, switches),
    h('fieldset', { class: 'quiet' },
      h('legend', {}, 'Quiet hours'),
      h('p', { class: 'hint' }, 'No reminders between these times.'),
      h('div', { class: 'times' },
        h('div', { class: 'field' }, h('label', { for: 'quiet-start' }, 'From'), start),
        h('div', { class: 'field' }, h('label', { for: 'quiet-end' }, 'Until'), end))),
    status);

  card.addEventListener('change', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });

  async function save() {
    if (!start.value || !end.value) {
      status.textContent = 'Please choose both quiet-hour times.';
      return;
    }
    const body = {
      disabled: [...card.querySelectorAll('input[name=kind]')].map((i) => /** @type {HTMLInputElement} */ (i)).filter((i) => !i.checked).map((i) => i.value),
      quietStart: start.value.slice(0, 5),
      quietEnd: end.value.slice(0, 5),
    };
    status.textContent = 'Saving…';
    try {
      plan.prefs = (await api.putPrefs(token, body)) || body;
      status.textContent = 'Saved ✓';
    } catch (err) {
      status.textContent = err.status === 0 ? 'Not saved — you’re offline. Try again when you’re connected.' : `Not saved: ${err.message}`;
    }
  }
  return card;
}
