// @ts-check
// The client app's words in the plan's language. The server serves each language's
// message catalog (routines/locales/messages.<tag>.json, go-i18n v2: a flat object from
// message id to text, or to CLDR plural forms for counts) at /api/messages/{tag}; the
// service worker keeps it for offline use. Texts carry {{.Name}} placeholders, filled by
// t(); plural messages pick their form with Intl.PluralRules, as go-i18n does on the
// server. Dates, times and numbers use the same language through Intl (24-hour clocks
// where that is the custom).

/** @typedef {Record<string, string | Record<string, string>>} Catalog */

/** The languages the app is written in, as the server names them (routines.Supported). */
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'pt-BR'];

/** messagesURL is where the server serves a language's catalog. */
export const messagesURL = (/** @type {string} */ tag) => `/api/messages/${encodeURIComponent(tag)}`;

let lang = 'en';
/** @type {Catalog} */
let catalog = {};
let formats = 'en-GB';
/** @type {Intl.PluralRules} */
let plurals = new Intl.PluralRules('en');
/** @type {Set<(tag: string) => void>} */
const listeners = new Set();

/** language is the tag of the catalog in use ("en", "pt-BR"). */
export const language = () => lang;

/** locale is the tag Intl formats with: the phone's own variant of the language where it
 *  has one (en-US keeps its 12-hour clock, es-MX its dates), else the language itself. */
export const locale = () => formats;

/**
 * match picks the supported language closest to tags (strongest first): exact, then by
 * language alone ("pt" and "pt-PT" read pt-BR, "de-AT" de); English when none fits.
 * @param {readonly string[]} tags
 */
export function match(tags) {
  for (const tag of tags) {
    const exact = LANGUAGES.find((l) => l.toLowerCase() === String(tag).toLowerCase());
    if (exact) return exact;
    const base = String(tag).split('-')[0].toLowerCase();
    const same = LANGUAGES.find((l) => l.split('-')[0].toLowerCase() === base);
    if (same) return same;
  }
  return 'en';
}

/**
 * formatLocale is the Intl locale for a language: a phone language of the same family
 * (its region), else the language (English without one: en-GB, day before month).
 * @param {string} tag
 * @param {readonly string[]} [phone] the phone's languages, strongest first
 */
export function formatLocale(tag, phone = navigator.languages || [navigator.language]) {
  const base = tag.split('-')[0].toLowerCase();
  const hasRegion = tag.includes('-');
  for (const p of phone) {
    if (!p) continue;
    if (hasRegion ? p.toLowerCase() === tag.toLowerCase() : p.split('-')[0].toLowerCase() === base) return p;
  }
  return tag === 'en' ? 'en-GB' : tag;
}

/**
 * use puts a loaded catalog in place: the texts t() returns, <html lang>, and the formats.
 * @param {string} tag
 * @param {Catalog} messages
 */
export function use(tag, messages) {
  lang = tag;
  catalog = messages || {};
  formats = formatLocale(tag);
  plurals = new Intl.PluralRules(tag); // the catalog's own rules, as go-i18n picks them
  document.documentElement.lang = tag;
  for (const fn of listeners) fn(tag);
}

/**
 * load fetches the catalog of tag (the service worker answers offline) and uses it.
 * The server answers with the language it matched; that is the one used.
 * @param {string} tag
 * @returns {Promise<string>} the language now in use
 */
export async function load(tag) {
  const res = await fetch(messagesURL(tag), { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`messages ${tag}: ${res.status}`);
  const data = await res.json();
  const messages = data && typeof data.messages === 'object' ? data.messages : data;
  const got = (data && typeof data.language === 'string' && data.language) || res.headers.get('Content-Language') || tag;
  use(got, messages);
  return got;
}

/**
 * onChange calls fn(tag) whenever another catalog is put in place; returns the undo.
 * @param {(tag: string) => void} fn
 */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** ids lists the catalog's message ids, in the catalog's order. */
export const ids = () => Object.keys(catalog);

/** has says whether the catalog has a message id. */
export const has = (/** @type {string} */ id) => Object.prototype.hasOwnProperty.call(catalog, id);

const PLACEHOLDER = /\{\{\.([A-Z][A-Za-z]*)\}\}/g;

/**
 * text picks the form of message id for data.Count (plural messages) or its only text.
 * A missing message shows its id, so a gap is visible (the browser tests look for ids).
 * @param {string} id
 * @param {Record<string, unknown>} data
 */
function text(id, data) {
  const m = catalog[id];
  if (typeof m === 'string') return m;
  if (m && typeof m === 'object') {
    const n = Number(data.Count);
    const form = Number.isFinite(n) ? plurals.select(n) : 'other';
    return m[form] ?? m.other ?? id;
  }
  return id;
}

/**
 * show turns a placeholder's value into text: numbers in the language's digits.
 * @param {unknown} v
 */
const show = (v) => (typeof v === 'number' ? number(v) : v == null ? '' : String(v));

/**
 * t returns message id with its {{.Name}} placeholders filled from data; for a plural
 * message, data.Count picks the form and fills {{.Count}}.
 * @param {string} id
 * @param {Record<string, unknown>} [data]
 * @returns {string}
 */
export function t(id, data = {}) {
  return text(id, data).replace(PLACEHOLDER, (all, name) => (name in data ? show(data[name]) : all));
}

/**
 * tn is t for messages with nodes in them (a link inside a sentence): it returns the text
 * split around the placeholders whose value is a Node, ready for h()'s children.
 * @param {string} id
 * @param {Record<string, unknown>} [data]
 * @returns {(string | Node)[]}
 */
export function tn(id, data = {}) {
  /** @type {(string | Node)[]} */
  const out = [];
  let last = 0;
  const src = text(id, data);
  for (const m of src.matchAll(PLACEHOLDER)) {
    const v = m[1] in data ? data[m[1]] : m[0];
    out.push(src.slice(last, m.index));
    out.push(v instanceof Node ? v : show(v));
    last = (m.index || 0) + m[0].length;
  }
  out.push(src.slice(last));
  return out.filter((p) => p !== '');
}

/**
 * tt is t for a message about the therapist: the id with {{.Therapist}} when there is a
 * name, else its ".unnamed" twin ("your therapist" changes with the sentence in German,
 * French and Portuguese).
 * @param {string} id
 * @param {string | null | undefined} therapist
 * @param {Record<string, unknown>} [data]
 */
export function tt(id, therapist, data = {}) {
  return therapist ? t(id, { ...data, Therapist: therapist }) : t(`${id}.unnamed`, data);
}

/**
 * number formats n in the language (1.5 → "1,5" in German).
 * @param {number} n
 * @param {Intl.NumberFormatOptions} [options]
 */
export function number(n, options) {
  return new Intl.NumberFormat(formats, options).format(n);
}

/**
 * list joins items as the language does: "a, b and c", "a, b y c", "a, b und c".
 * @param {string[]} items
 */
export function list(items) {
  if (typeof Intl.ListFormat === 'function') return new Intl.ListFormat(formats, { type: 'conjunction' }).format(items);
  return items.join(', ');
}

/**
 * nativeName is a language's name in that language ("Español", "Deutsch"), for the
 * language switcher: a client who cannot read the current one still finds their own.
 * @param {string} tag
 */
export function nativeName(tag) {
  let name = tag;
  try {
    name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) || tag;
  } catch {
    // An old browser without DisplayNames: the tag itself.
  }
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}
