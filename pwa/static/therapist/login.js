// @ts-check
// Logging in, and accepting an invitation (the studio owner's first account, or a colleague's).
import { h } from '../shared/dom.js';
import { state, api, busy, show, clearNav, rerender } from './workspace.js';

export function login() {
  clearNav();
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true, 'data-testid': 'login-email' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary big', type: 'submit', 'data-testid': 'login' }, 'Log in');
  const form = h('form', { class: 'card' },
    h('label', { for: 'email' }, 'E-mail'), email,
    h('label', { for: 'password' }, 'Password'), password, err, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      try {
        const sess = await api('POST', '/api/session', { email: email.value.trim(), password: password.value });
        state.me = sess.therapist;
        state.csrf = sess.csrfToken;
        if (location.hash === '#/' || location.hash === '') rerender(); else location.hash = '#/';
      } catch (e2) {
        if (e2.status === 429) throw new Error(`Too many attempts. Try again in ${Math.ceil((e2.retryAfter || 60) / 60)} minutes.`);
        throw e2;
      }
    });
  });
  show(h('h1', {}, 'Therapist log in'), form,
    h('p', { class: 'hint' }, 'Clients do not log in: they open the link or QR code you give them.'));
}

/** @param {string} secret */
export async function join(secret) {
  clearNav();
  let inv;
  try {
    inv = await api('GET', `/api/invites/${secret}`);
  } catch (e) {
    return show(h('h1', {}, 'This link does not work'), h('p', {}, e.message), h('p', {}, 'Ask the studio owner for a new invitation.'), h('a', { href: '#/login', class: 'btn' }, 'Log in instead'));
  }
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/London';
  const name = h('input', { id: 'name', autocomplete: 'name', required: true });
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true, value: inv.email || null, readonly: inv.email ? true : null });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'new-password', minlength: '10', required: true });
  const zone = h('input', { id: 'tz', value: tz, required: true });
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary big', type: 'submit' }, inv.kind === 'setup' ? 'Create the studio owner account' : 'Create my account');
  const form = h('form', { class: 'card' },
    h('label', { for: 'name' }, 'Your name (clients see it)'), name,
    h('label', { for: 'email' }, 'E-mail (to log in)'), email,
    h('label', { for: 'password' }, 'Password (at least 10 characters)'), password,
    h('label', { for: 'tz' }, 'Your time zone'), zone, h('p', { class: 'hint' }, 'New plans use it for the client unless you change it.'),
    err, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      const sess = await api('POST', `/api/invites/${secret}`, { name: name.value.trim(), email: email.value.trim(), password: password.value, timeZone: zone.value.trim() });
      state.me = sess.therapist;
      state.csrf = sess.csrfToken;
      history.replaceState(null, '', '/therapist#/');
      rerender();
    });
  });
  show(h('h1', {}, inv.kind === 'setup' ? 'Set up your studio' : 'Join the studio'), form);
}
