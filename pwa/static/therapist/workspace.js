// @ts-check
// What every screen of the therapist workspace shares: who is signed in, the API (with the
// CSRF header, and back to the login on a 401), putting a screen on the page, a button that
// is busy while its work runs, and the workspace's date formats.
import { h, announce } from '../shared/dom.js';
import { call } from '../shared/api.js';

export const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));

/**
 * @typedef {object} WorkspaceState
 * @property {any} me the signed-in therapist ({id, name, email, owner, timeZone}), or null
 * @property {string} csrf the session's CSRF token
 * @property {any[] | null} routines the library, each with its stretches (loaded once)
 * @property {Map<string, any> | null} stretches every library stretch by id
 * @property {any[] | null} templates the therapist's own templates
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
    offline: 'No connection. Check the Wi-Fi and try again.',
    onAnswer(res) {
      if (res && res.status === 401 && !path.startsWith('/api/session') && !path.startsWith('/api/invites')) {
        state.me = null;
        location.hash = '#/login';
      }
    },
  });
}

/**
 * busy disables a button while fn runs and shows errors in the given element.
 * @template T
 * @param {HTMLButtonElement} button
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
  nav.replaceChildren(link('#/', 'Clients'), link('#/new', 'New plan'), link('#/settings', 'Settings'));
}

/** clearNav hides the menu (login and invitation screens). */
export const clearNav = () => nav.replaceChildren();

/** rerender shows the screen of the current address again (the router listens for hashchange). */
export const rerender = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

const fmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
export const fmtDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
/** @param {string | null | undefined} iso */
export const when = (iso) => (iso ? fmt.format(new Date(iso)) : '—');

/**
 * printLink opens the plan made for paper (stretches, warning signs, QR) to hand over at the desk.
 * @param {string} token
 */
export function printLink(token) {
  return h('a', { href: `/p/${token}/print`, class: 'btn', target: '_blank', rel: 'noopener', 'data-testid': 'print-for-client' }, 'Print for the client');
}
