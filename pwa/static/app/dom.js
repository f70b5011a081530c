// Small DOM, date and text helpers shared by the screens.
// Text is always set as text (never innerHTML), so plan notes cannot inject markup.

/** h('p', {class: 'x', onclick: fn}, 'text', child) builds an element. */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  setProps(el, props);
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

/** svg('circle', {r: 5}) builds an SVG element (attributes only). */
export function svg(tag, props, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(el, props);
  el.append(...kids);
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}

/** announce speaks a short message through the polite live region. */
export function announce(text) {
  let live = document.getElementById('live');
  if (!live) {
    live = h('div', { id: 'live', class: 'vh', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.append(live);
  }
  live.textContent = '';
  // A fresh text node after a tick makes screen readers repeat identical messages.
  setTimeout(() => { live.textContent = text; }, 50);
}

/** uuid returns a random v4 UUID, also on browsers without crypto.randomUUID (iOS < 15.4). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// The app's words are English; dates follow the reader's English variant.
const locale = (navigator.languages || []).find((l) => /^en\b/i.test(l)) || 'en-GB';

const known = new Map(); // tz → tz or undefined
const formats = new Map(); // locale + options + tz → Intl.DateTimeFormat

/** zone returns tz if this browser knows it, else undefined (= the phone's own zone). */
export function zone(tz) {
  if (!known.has(tz)) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      known.set(tz, tz);
    } catch {
      known.set(tz, undefined);
    }
  }
  return known.get(tz);
}

/** dtf returns a cached formatter: building one (with a time zone) costs far more than using it,
 *  and the Today screen formats many dates on first paint. */
function dtf(loc, options, tz) {
  const key = `${loc}|${JSON.stringify(options)}|${tz}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, { ...options, timeZone: zone(tz) });
    formats.set(key, f);
  }
  return f;
}

/** dayKey is the calendar date "YYYY-MM-DD" of date in the zone tz. */
export function dayKey(date, tz) {
  const parts = dtf('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }, tz).formatToParts(date);
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** daysBetween counts calendar days from one dayKey to another. */
export const daysBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 864e5);

/** hourIn is the hour of the day (0–23) at date in the zone tz. */
export function hourIn(date, tz) {
  return Number(dtf('en-GB', { hour: '2-digit', hourCycle: 'h23' }, tz).format(date));
}

/** formatWhen reads like "Thursday 3 December at 11:00" in the plan's zone. */
export function formatWhen(date, tz) {
  const day = formatDay(date, tz);
  const time = dtf(locale, { hour: 'numeric', minute: '2-digit' }, tz).format(date);
  return `${day} at ${time}`;
}

/** formatDay reads like "Thursday 3 December". */
export const formatDay = (date, tz) =>
  dtf(locale, { weekday: 'long', day: 'numeric', month: 'long' }, tz).format(date);

/** relativeDay says "today", "yesterday" or the date. */
export function relativeDay(date, tz) {
  const d = daysBetween(dayKey(date, tz), dayKey(new Date(), tz));
  if (d === 0) return 'today';
  if (d === 1) return 'yesterday';
  return formatDay(date, tz);
}

export const firstName = (name) => (name || '').trim().split(/\s+/)[0] || '';

/** plural(3, 'stretch', 'stretches') → "3 stretches". */
export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
