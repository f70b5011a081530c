// @ts-check
// Logging in, and accepting an invitation (the studio owner's first account, or a colleague's).
import { h } from '../shared/dom.js';
import { t, language } from '../shared/i18n.js';
import { state, api, busy, show, clearNav, rerender } from './workspace.js';

export function login() {
  clearNav();
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true, 'data-testid': 'login-email' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary big', type: 'submit', 'data-testid': 'login' }, t('login.submit'));
  const form = h('form', { class: 'card' },
    h('label', { for: 'email' }, t('login.email')), email,
    h('label', { for: 'password' }, t('login.password')), password, err, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      try {
        const sess = await api('POST', '/api/session', { email: email.value.trim(), password: password.value });
        state.me = sess.therapist;
        state.csrf = sess.csrfToken;
        if (location.hash === '#/' || location.hash === '') rerender(); else location.hash = '#/';
      } catch (e2) {
        if (e2.status === 429) throw new Error(t('login.tooManyAttempts', { Count: Math.ceil((e2.retryAfter || 60) / 60) }));
        throw e2;
      }
    });
  });
  show(h('h1', {}, t('login.title')), form,
    h('p', { class: 'hint' }, t('login.clientsHint')));
}

/** @param {string} secret */
export async function join(secret) {
  clearNav();
  let inv;
  try {
    inv = await api('GET', `/api/invites/${secret}`);
  } catch (e) {
    return show(h('h1', {}, t('join.badLink')), h('p', {}, e.message), h('p', {}, t('join.askOwner')), h('a', { href: '#/login', class: 'btn' }, t('join.logInInstead')));
  }
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/London';
  const name = h('input', { id: 'name', autocomplete: 'name', required: true });
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true, value: inv.email || null, readonly: inv.email ? true : null });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'new-password', minlength: '10', required: true });
  const zone = h('input', { id: 'tz', value: tz, required: true });
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary big', type: 'submit' }, t(inv.kind === 'setup' ? 'join.createOwner' : 'join.create'));
  const form = h('form', { class: 'card' },
    h('label', { for: 'name' }, t('join.name')), name,
    h('label', { for: 'email' }, t('join.email')), email,
    h('label', { for: 'password' }, t('join.password')), password,
    h('label', { for: 'tz' }, t('join.timeZone')), zone, h('p', { class: 'hint' }, t('join.timeZoneHint')),
    err, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      // The new account reads the language this page is shown in (the browser's); Settings changes it.
      const sess = await api('POST', `/api/invites/${secret}`, { name: name.value.trim(), email: email.value.trim(), password: password.value, timeZone: zone.value.trim(), language: language() });
      state.me = sess.therapist;
      state.csrf = sess.csrfToken;
      history.replaceState(null, '', '/therapist#/');
      rerender();
    });
  });
  show(h('h1', {}, t(inv.kind === 'setup' ? 'join.setupTitle' : 'join.title')), form);
}
