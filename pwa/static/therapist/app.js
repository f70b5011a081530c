// @ts-check
// aftercare therapist workspace: log in, assign a plan from a template and show its QR,
// follow clients. Plain ES modules, no framework; text is always set as text, never HTML.
// This file is the router: one module per screen, loaded when first shown.
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, api, csrfCookie, show, renderNav, useLanguage, ready } from './workspace.js';

/** @typedef {(...args: string[]) => unknown} Screen */

const login = () => import('./login.js');

/** @type {[RegExp, () => Promise<Screen>, boolean][]} pattern, screen, needs a signed-in therapist */
const routes = [
  [/^#\/join\/([A-Za-z0-9_-]+)$/, () => login().then((m) => m.join), false],
  [/^#\/login$/, () => login().then((m) => m.login), false],
  [/^#\/new$/, () => import('./assign.js').then((m) => m.assign), true],
  [/^#\/qr\/([A-Za-z0-9_-]+)$/, () => import('./qr.js').then((m) => m.qrScreen), true],
  [/^#\/plan\/([A-Za-z0-9_-]+)$/, () => import('./plan.js').then((m) => m.planDetail), true],
  [/^#\/plan\/([A-Za-z0-9_-]+)\/summary$/, () => import('./summary.js').then((m) => m.summaryScreen), true],
  [/^#\/settings$/, () => import('./settings.js').then((m) => m.settings), true],
  [/^#\/stretches$/, () => import('./stretches.js').then((m) => m.stretchList), true],
  [/^#\/stretches\/new$/, () => import('./stretches.js').then((m) => m.stretchForm), true],
  [/^#\/stretches\/(c-[0-9a-f]+)$/, () => import('./stretches.js').then((m) => m.stretchForm), true],
  [/^#?\/?$/, () => import('./clients.js').then((m) => m.dashboard), true],
];

async function route() {
  const hash = location.hash || '#/';
  const [re, load, needsLogin] = routes.find(([r]) => r.test(hash)) || routes[routes.length - 1];
  try {
    // A browser session always carries the readable CSRF cookie (set and cleared with the
    // session cookie): without it there is nothing to ask the server, so go straight to the
    // login form instead of provoking a 401.
    if (needsLogin && !state.me && csrfCookie()) {
      try {
        const sess = await api('GET', '/api/session');
        state.me = sess.therapist;
        state.csrf = sess.csrfToken || csrfCookie();
      } catch {
        // Not signed in after all: the login form below.
      }
    }
    // Signed in: the account's language (the studio's for an account older than languages);
    // not signed in: the browser's.
    await useLanguage(state.me ? state.me.language : '');
    if (needsLogin && !state.me) return (await login()).login();
    renderNav(hash);
    const screen = await load();
    await screen(...(hash.match(re) || []).slice(1));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!ready()) return show(h('p', { class: 'error', role: 'alert' }, message));
    show(h('h1', {}, t('error.title')), h('p', { class: 'error' }, message),
      h('p', {}, h('a', { href: '#/', class: 'btn' }, t('common.backToClients'))));
  }
}

window.addEventListener('hashchange', route);
route();

// A tapped alert focuses an open workspace window and posts {type: 'navigate', url}
// (sw.js openOrFocus): switch screens by the URL's hash, without reloading.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (e) => {
    const msg = e.data || {};
    if (msg.type !== 'navigate' || typeof msg.url !== 'string') return;
    let target;
    try {
      target = new URL(msg.url, location.href);
    } catch {
      return;
    }
    if (target.origin !== location.origin) return;
    if (target.pathname.replace(/\/+$/, '') === '/therapist') location.hash = target.hash || '#/';
    else location.assign(target.href);
  });
  if (navigator.serviceWorker.startMessages) navigator.serviceWorker.startMessages();
}
