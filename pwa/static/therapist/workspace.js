// @ts-check
// What every screen of the therapist workspace shares: who is signed in, its words in the
// therapist's language (useLanguage), the API (with the CSRF header, and back to the login on a
// 401), putting a screen on the page, a button that is busy while its work runs, and the
// workspace's date formats.
import { h, announce } from '../shared/dom.js';
import { call } from '../shared/api.js';
import { ago as agoIn } from '../shared/dates.js';
import { use, t, locale, number, language } from '../shared/i18n.js';

export const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));

/**
 * @typedef {object} WorkspaceState
 * @property {any} me the signed-in therapist ({id, name, email, owner, timeZone, language}), or null
 * @property {string} csrf the session's CSRF token
 * @property {any[] | null} routines the library, each with its stretches (loaded once per language)
 * @property {string} [routinesLanguage] the language routines are in
 * @property {Map<string, any> | null} stretches every library stretch by id
 * @property {any[] | null} templates the therapist's own templates
 * @property {any[]} [own] the own stretches the therapist may use (not retired)
 * @property {Record<string, any>} [safety] each language's safety phrases (an own stretch must carry them)
 * @property {any} draft the plan being assigned
 * @property {{token: string, url: string, name: string} | null} lastCreated the plan just created, for its QR screen
 */

/** @type {WorkspaceState} */
export const state = { me: null, csrf: '', routines: null, stretches: null, templates: null, draft: null, lastCreated: null };

/** csrfCookie reads the readable CSRF cookie set with the session cookie ("" without a session). */
export function csrfCookie() {
  const m = document.cookie.match(/(?:^|;\s*)aftercare_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/**
 * api calls the server as the signed-in therapist; a 401 outside login and invitations
 * forgets the session and goes to the login screen.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || csrfCookie();
  return call(method, path, body, {
    headers,
    offline: t('error.offline'),
    onAnswer(res) {
      if (res && res.status === 401 && !path.startsWith('/api/session') && !path.startsWith('/api/invites')) {
        state.me = null;
        location.hash = '#/login';
      }
    },
  });
}

/**
 * busy disables a button (or a select) while fn runs and shows errors in the given element.
 * @template T
 * @param {HTMLButtonElement | HTMLSelectElement} button
 * @param {HTMLElement | null} errorEl
 * @param {() => Promise<T>} fn
 * @returns {Promise<T | undefined>}
 */
export async function busy(button, errorEl, fn) {
  button.disabled = true;
  if (errorEl) errorEl.textContent = '';
  try {
    return await fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (errorEl) errorEl.textContent = message;
    announce(message);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/**
 * show puts a screen on the page. Screens pass optional parts (false/null) and lists: drop the
 * former, spread the latter, so nothing is ever rendered as "false" or "[object HTMLDivElement],".
 * @param {...Child} nodes
 */
export function show(...nodes) {
  main.replaceChildren(.../** @type {(Node | string)[]} */ (/** @type {unknown[]} */ (nodes).flat(Infinity).filter((n) => n != null && n !== false && n !== '')));
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/**
 * renderNav shows the workspace's menu to a signed-in therapist, marking the current screen.
 * @param {string} hash
 */
export function renderNav(hash) {
  if (!state.me) return nav.replaceChildren();
  /** @param {string} href @param {string} text */
  const link = (href, text) => h('a', { href, 'aria-current': hash === href ? 'page' : null }, text);
  nav.replaceChildren(link('#/', t('nav.clients')), link('#/new', t('nav.newPlan')), link('#/settings', t('nav.settings')));
}

/** clearNav hides the menu (login and invitation screens). */
export const clearNav = () => nav.replaceChildren();

/** rerender shows the screen of the current address again (the router listens for hashchange). */
export const rerender = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

/**
 * library loads the routines and every library stretch (variations in no routine too: the
 * per-step easier/harder menu, an own stretch's poses and links) in the workspace's language,
 * again when the therapist changes it, with each language's safety phrases.
 */
export async function library() {
  if (state.routines && state.routinesLanguage === language()) return;
  const lang = encodeURIComponent(language());
  const list = await api('GET', `/api/routines?lang=${lang}`);
  const details = await Promise.all(list.map((r) => api('GET', `/api/routines/${r.id}?lang=${lang}`)));
  const lib = await api('GET', `/api/stretches/library?lang=${lang}`);
  state.routinesLanguage = language();
  state.routines = list.map((r, i) => ({ ...r, stretches: details[i].stretches }));
  state.stretches = new Map(lib.stretches.map((st) => [st.id, st]));
  state.safety = lib.safety;
}

/**
 * printLink opens the plan made for paper (stretches, warning signs, QR) to hand over at the desk.
 * @param {string} token
 */
export function printLink(token) {
  return h('a', { href: `/p/${token}/print`, class: 'btn', target: '_blank', rel: 'noopener', 'data-testid': 'print-for-client' }, t('common.print'));
}

/**
 * cadenceOptions are the choices for "If nothing is booked, remind them to book" (days, 0: never).
 * @param {number} selected
 */
export const cadenceOptions = (selected) => [7, 14, 21, 28, 0]
  .map((d) => h('option', { value: String(d), selected: d === selected }, t(`cadence.${d}`)));

// The workspace's words: one catalog per language (routines/locales/workspace.<tag>.json),
// served with the list of languages by GET /api/workspace-messages/{preferences}, which picks
// the best match of a tag or of the browser's whole list ("de-AT,de,en"). shared/i18n.js holds
// the catalog in use and fills its texts in (t, tn).

/** languages are the tags the workspace is written in, as the server lists them. */
export let languages = /** @type {string[]} */ ([]);
/** @type {Map<string, Promise<{language: string, languages: string[], messages: Record<string, any>}>>} preferences → catalog */
const catalogs = new Map();
let loaded = '';

/** browserLanguages is what the browser asks for, strongest first. */
export const browserLanguages = () => (navigator.languages && navigator.languages.length ? [...navigator.languages] : [navigator.language || 'en']);

/**
 * useLanguage loads the catalog that best fits pref (a tag; "" for the browser's languages) and
 * makes it the workspace's: the page's lang, title and menu follow.
 * @param {string} [pref]
 */
export async function useLanguage(pref) {
  const want = pref || browserLanguages().join(',');
  let loading = catalogs.get(want);
  if (!loading) {
    loading = call('GET', `/api/workspace-messages/${encodeURIComponent(want)}`);
    catalogs.set(want, loading);
    loading.catch(() => catalogs.delete(want));
  }
  const c = await loading;
  languages = c.languages;
  if (c.language === loaded) return;
  use(c.language, c.messages);
  loaded = c.language;
  dateFormats.clear();
  document.title = t('page.title');
  document.querySelector('meta[name=description]')?.setAttribute('content', t('page.description'));
  nav.setAttribute('aria-label', t('nav.label'));
}

/** ready says whether a catalog is in place (before it is, there are no words to show). */
export const ready = () => loaded !== '';

/** @type {Map<string, Intl.DateTimeFormat>} options → formatter in the current locale */
const dateFormats = new Map();

/**
 * dates formats a time in the workspace's locale (its own clock: 24-hour where that is the custom).
 * @param {Intl.DateTimeFormatOptions} options
 */
function dates(options) {
  const key = JSON.stringify(options);
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), options);
    dateFormats.set(key, f);
  }
  return f;
}

/**
 * when reads like "Thu 3 Dec, 10:00" (or the language's own order); "—" for none.
 * @param {string | null | undefined} iso
 */
export const when = (iso) => (iso ? dates({ weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso)) : '—');

/**
 * day reads like "3 Dec".
 * @param {Date | string | number} d
 */
export const day = (d) => dates({ day: 'numeric', month: 'short' }).format(new Date(d));

/**
 * minutes reads like "12 min" ("12 Min." in German).
 * @param {number} n
 */
export const minutes = (n) => number(n, { style: 'unit', unit: 'minute', unitDisplay: 'short' });

/**
 * ago says how long ago an ISO time was, in the workspace's language ("5 hours ago", "yesterday").
 * @param {string} iso
 */
export const ago = (iso) => agoIn(iso, Date.now(), locale());
