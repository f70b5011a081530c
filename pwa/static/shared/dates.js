// @ts-check
// Dates for both apps: calendar days and hours in a plan's time zone (the client's, not the
// phone's), dates and times as the app's language writes them (setLocale: the client app
// passes the plan's language, see i18n.js; a 24-hour clock where that is the custom), and
// the workspace's date inputs.

// English until told otherwise, in the reader's English variant.
let current = (navigator.languages || []).find((l) => /^en\b/i.test(l)) || 'en-GB';
const locale = () => current;

/**
 * setLocale makes the formats below write dates as tag does ("es", "de-AT", "en-US").
 * @param {string} tag
 */
export function setLocale(tag) {
  current = tag;
}

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
 * formatWhen reads like "Thursday 3 December at 11:00" in the plan's zone ("jueves, 3 de
 * diciembre, 11:00", "Donnerstag, 3. Dezember um 11:00").
 * @param {Date} date
 * @param {string} tz
 */
export const formatWhen = (date, tz) =>
  dtf(locale(), { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }, tz).format(date);

/**
 * formatDay reads like "Thursday 3 December".
 * @param {Date} date
 * @param {string} tz
 */
export const formatDay = (date, tz) =>
  dtf(locale(), { weekday: 'long', day: 'numeric', month: 'long' }, tz).format(date);

/**
 * formatClock writes a time of day kept as "HH:MM" (a plan's stretch time) as the
 * language does: "19:00", or "7:00 PM" for US English.
 * @param {string} hhmm
 */
export function formatClock(hhmm) {
  const m = /^(\d{1,2}):(\d{2})/.exec(hhmm || '');
  if (!m) return hhmm;
  return dtf(locale(), { hour: 'numeric', minute: '2-digit' }, 'UTC').format(new Date(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2]))));
}

/** @type {Map<string, Intl.RelativeTimeFormat>} locale → formatter */
const relative = new Map();

/**
 * relativeDay says "today", "yesterday" (in the app's language) or the date.
 * @param {Date} date
 * @param {string} tz
 * @param {Date} [now]
 */
export function relativeDay(date, tz, now = new Date()) {
  const d = daysBetween(dayKey(date, tz), dayKey(now, tz));
  if (d !== 0 && d !== 1) return formatDay(date, tz);
  const loc = locale();
  let f = relative.get(loc);
  if (!f) {
    f = new Intl.RelativeTimeFormat(loc, { numeric: 'auto' });
    relative.set(loc, f);
  }
  return f.format(-d, 'day');
}

/**
 * ago says how long ago an ISO time was, in the locale's words: "now", "5 minutes ago",
 * "5 hours ago", "yesterday", "3 days ago" ("vor 3 Tagen" in German).
 * @param {string} iso
 * @param {number} [now] milliseconds since the epoch
 * @param {string} [loc] the locale (the workspace passes its own)
 */
export function ago(iso, now = Date.now(), loc = locale()) {
  let rtf = relative.get(loc);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(loc, { numeric: 'auto' });
    relative.set(loc, rtf);
  }
  const minutes = Math.max(0, (now - Date.parse(iso)) / 6e4);
  if (minutes < 1) return rtf.format(0, 'second');
  if (minutes < 60) return rtf.format(-Math.floor(minutes), 'minute');
  if (minutes < 24 * 60) return rtf.format(-Math.floor(minutes / 60), 'hour');
  return rtf.format(-Math.floor(minutes / (24 * 60)), 'day');
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
