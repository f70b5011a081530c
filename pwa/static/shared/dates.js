// @ts-check
// Dates for both apps: calendar days and hours in a plan's time zone (the client's, not the
// phone's), the app's English date formats, and the workspace's date inputs.

// The app's words are English; dates follow the reader's English variant.
const locale = (navigator.languages || []).find((l) => /^en\b/i.test(l)) || 'en-GB';

/** @type {Map<string, string | undefined>} tz → tz, or undefined when this browser does not know it */
const known = new Map();
/** @type {Map<string, Intl.DateTimeFormat>} locale + options + tz → formatter */
const formats = new Map();

/**
 * zone returns tz if this browser knows it, else undefined (= the phone's own zone).
 * @param {string} tz
 * @returns {string | undefined}
 */
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

/**
 * dtf returns a cached formatter: building one (with a time zone) costs far more than using it,
 * and the Today screen formats many dates on first paint.
 * @param {string} loc
 * @param {Intl.DateTimeFormatOptions} options
 * @param {string} tz
 */
function dtf(loc, options, tz) {
  const key = `${loc}|${JSON.stringify(options)}|${tz}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, { ...options, timeZone: zone(tz) });
    formats.set(key, f);
  }
  return f;
}

/**
 * dayKey is the calendar date "YYYY-MM-DD" of date in the zone tz.
 * @param {Date} date
 * @param {string} tz
 */
export function dayKey(date, tz) {
  const parts = dtf('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }, tz).formatToParts(date);
  /** @param {Intl.DateTimeFormatPartTypes} t */
  const get = (t) => parts.find((p) => p.type === t)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * daysBetween counts calendar days from one dayKey to another.
 * @param {string} a
 * @param {string} b
 */
export const daysBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 864e5);

/**
 * hourIn is the hour of the day (0–23) at date in the zone tz.
 * @param {Date} date
 * @param {string} tz
 */
export function hourIn(date, tz) {
  return Number(dtf('en-GB', { hour: '2-digit', hourCycle: 'h23' }, tz).format(date));
}

/**
 * formatWhen reads like "Thursday 3 December at 11:00" in the plan's zone.
 * @param {Date} date
 * @param {string} tz
 */
export function formatWhen(date, tz) {
  const day = formatDay(date, tz);
  const time = dtf(locale, { hour: 'numeric', minute: '2-digit' }, tz).format(date);
  return `${day} at ${time}`;
}

/**
 * formatDay reads like "Thursday 3 December".
 * @param {Date} date
 * @param {string} tz
 */
export const formatDay = (date, tz) =>
  dtf(locale, { weekday: 'long', day: 'numeric', month: 'long' }, tz).format(date);

/**
 * relativeDay says "today", "yesterday" or the date.
 * @param {Date} date
 * @param {string} tz
 * @param {Date} [now]
 */
export function relativeDay(date, tz, now = new Date()) {
  const d = daysBetween(dayKey(date, tz), dayKey(now, tz));
  if (d === 0) return 'today';
  if (d === 1) return 'yesterday';
  return formatDay(date, tz);
}

/**
 * ago says how long ago an ISO time was: "just now", "5 h ago", "yesterday", "3 days ago".
 * @param {string} iso
 * @param {number} [now] milliseconds since the epoch
 */
export function ago(iso, now = Date.now()) {
  const hours = (now - Date.parse(iso)) / 36e5;
  if (hours < 1) return 'just now';
  if (hours < 24) return `${Math.floor(hours)} h ago`;
  const d = Math.floor(hours / 24);
  return d === 1 ? 'yesterday' : `${d} days ago`;
}

/**
 * localInput turns a Date into the value of an <input type=datetime-local> (the phone's zone).
 * @param {Date} d
 */
export function localInput(d) {
  /** @param {number} n */
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * toRFC3339 turns an <input type=datetime-local> value into UTC without milliseconds ("" stays "").
 * @param {string} v
 */
export const toRFC3339 = (v) => (v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
