// aftercare therapist workspace: log in, assign a plan from a template and show its QR,
// follow clients. Plain ES module, no framework; text is always set as text, never HTML.

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const state = { me: null, csrf: '', routines: null, stretches: null, templates: null, draft: null };

// ---- DOM helpers ---------------------------------------------------------------------

function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

function s(tag, props, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(props || {})) if (v != null) el.setAttribute(k, v);
  el.append(...kids);
  return el;
}

function show(...nodes) {
  // Screens pass optional parts (false/null) and lists: drop the former, spread the latter,
  // so nothing is ever rendered as "false" or "[object HTMLDivElement],".
  main.replaceChildren(...nodes.flat(Infinity).filter((n) => n != null && n !== false && n !== ''));
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

const fmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const fmtDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const when = (iso) => (iso ? fmt.format(new Date(iso)) : '—');

function ago(iso) {
  const hours = (Date.now() - Date.parse(iso)) / 36e5;
  if (hours < 1) return 'just now';
  if (hours < 24) return `${Math.floor(hours)} h ago`;
  const d = Math.floor(hours / 24);
  return d === 1 ? 'yesterday' : `${d} days ago`;
}

/** localInput turns a Date into the value of an <input type=datetime-local>. */
function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
const toRFC3339 = (v) => (v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

// ---- API -----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

function csrfCookie() {
  const m = document.cookie.match(/(?:^|;\s*)aftercare_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || csrfCookie();
  let res;
  try {
    res = await fetch(path, { method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'No connection. Check the Wi-Fi and try again.');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (res.status === 401 && !path.startsWith('/api/session') && !path.startsWith('/api/invites')) {
    state.me = null;
    location.hash = '#/login';
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `Request failed (${res.status})`, res.headers.get('Retry-After'));
  return data;
}

/** busy disables a button while fn runs and shows errors in the given element. */
async function busy(button, errorEl, fn) {
  button.disabled = true;
  if (errorEl) errorEl.textContent = '';
  try {
    return await fn();
  } catch (e) {
    if (errorEl) errorEl.textContent = e.message;
    announce(e.message);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

// ---- Router --------------------------------------------------------------------------

const routes = [
  [/^#\/join\/([A-Za-z0-9_-]+)$/, join, false],
  [/^#\/login$/, login, false],
  [/^#\/new$/, assign, true],
  [/^#\/qr\/([A-Za-z0-9_-]+)$/, qrScreen, true],
  [/^#\/plan\/([A-Za-z0-9_-]+)$/, planDetail, true],
  [/^#\/settings$/, settings, true],
  [/^#?\/?$/, dashboard, true],
];

async function route() {
  const hash = location.hash || '#/';
  const [re, screen, needsLogin] = routes.find(([r]) => r.test(hash)) || routes[routes.length - 1];
  if (needsLogin && !state.me) {
    // A browser session always carries the readable CSRF cookie (set and cleared with the
    // session cookie): without it there is nothing to ask the server, so go straight to the
    // login form instead of provoking a 401.
    if (!csrfCookie()) return login();
    try {
      const sess = await api('GET', '/api/session');
      state.me = sess.therapist;
      state.csrf = sess.csrfToken || csrfCookie();
    } catch {
      return login();
    }
  }
  renderNav(hash);
  try {
    await screen(...(hash.match(re) || []).slice(1));
  } catch (e) {
    show(h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, e.message), h('p', {}, h('a', { href: '#/', class: 'btn' }, 'Back to clients')));
  }
}

function renderNav(hash) {
  if (!state.me) return nav.replaceChildren();
  const link = (href, text) => h('a', { href, 'aria-current': hash === href ? 'page' : null }, text);
  nav.replaceChildren(link('#/', 'Clients'), link('#/new', 'New plan'), link('#/settings', 'Settings'));
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

// ---- Login and invitations -----------------------------------------------------------

function login() {
  nav.replaceChildren();
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
        if (location.hash === '#/' || location.hash === '') route(); else location.hash = '#/';
      } catch (e2) {
        if (e2.status === 429) throw new Error(`Too many attempts. Try again in ${Math.ceil((e2.retryAfter || 60) / 60)} minutes.`);
        throw e2;
      }
    });
  });
  show(h('h1', {}, 'Therapist log in'), form,
    h('p', { class: 'hint' }, 'Clients do not log in: they open the link or QR code you give them.'));
}

async function join(secret) {
  nav.replaceChildren();
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
      route();
    });
  });
  show(h('h1', {}, inv.kind === 'setup' ? 'Set up your studio' : 'Join the studio'), form);
}

// ---- Dashboard: clients sorted by need -----------------------------------------------

const attentionText = { 'red-flag': 'Red flag', 'still-sore': 'Still sore at 48 h', inactive: 'Quiet' };

async function dashboard() {
  const newBtn = h('a', { href: '#/new', class: 'btn primary big', 'data-testid': 'new-plan' }, '+ New plan');
  show(h('h1', {}, 'Clients'), newBtn, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const list = await api('GET', '/api/clients');
  const rows = list.map((c) => {
    const pct = c.daysSoFar ? Math.round((10 * c.stretchedDays) / c.daysSoFar) : 0;
    const badges = [];
    if (c.attention) badges.push(h('span', { class: `badge ${c.attention}` }, c.attention === 'inactive' ? `Quiet ${c.inactiveDays} days` : attentionText[c.attention]));
    if (!c.active) badges.push(h('span', { class: 'badge ended' }, 'Ended'));
    return h('li', { class: `card client ${c.attention || ''}`, 'data-testid': 'client-row', 'data-token': c.token },
      h('a', { href: `#/plan/${c.token}` },
        h('div', { class: 'top' }, h('span', { class: 'name' }, c.clientName), h('span', {}, badges)),
        h('div', { class: 'meter', role: 'img', 'aria-label': `Stretched ${c.stretchedDays} of ${c.daysSoFar} days` }, h('span', { class: `w${pct}` })),
        h('div', { class: 'hint' },
          `Stretched ${c.stretchedDays}/${c.daysSoFar} days`,
          c.latest ? ` · Soreness ${c.latest.soreness} · Pain ${c.latest.pain}` : ' · no check-in yet',
          ` · ${ago(c.lastActivity)}`,
          state.me.owner && c.therapistId !== state.me.id ? ` · ${c.therapistName}` : '')));
  });
  show(h('h1', {}, 'Clients'), newBtn,
    rows.length ? h('ul', { class: 'clients', 'data-testid': 'clients' }, rows)
      : h('p', { class: 'muted' }, 'No clients yet. Tap “New plan” after a session: pick a routine, type the client’s first name, and show them the QR code.'));
}

// ---- Assign: template → tweaks → QR --------------------------------------------------

async function loadLibrary() {
  if (!state.routines) {
    const list = await api('GET', '/api/routines');
    const details = await Promise.all(list.map((r) => api('GET', `/api/routines/${r.id}`)));
    state.routines = list.map((r, i) => ({ ...r, stretches: details[i].stretches }));
    state.stretches = new Map();
    for (const d of details) for (const st of d.stretches) state.stretches.set(st.id, st);
  }
  state.templates = await api('GET', '/api/templates');
}

function pickTemplate(t) {
  // A library routine carries stretches with holds; an own template carries stretchId/hold/reps.
  const list = t.stretches.map((st) => ({ stretchId: st.id || st.stretchId, holdSeconds: st.holdSeconds, reps: st.reps }));
  state.draft = { ...state.draft, routineId: t.routineId || t.id, templateKey: t.key, stretches: list, base: JSON.stringify(list) };
  if (t.days) state.draft.days = t.days;
  if (t.cadenceDays) state.draft.cadenceDays = t.cadenceDays;
  if (t.notes) state.draft.notes = t.notes;
}

async function assign() {
  show(h('h1', {}, 'New plan'), h('p', { class: 'muted', role: 'status' }, 'Loading routines…'));
  await loadLibrary();
  state.draft = { clientName: '', days: 14, cadenceDays: 7, notes: '', stretchTime: '19:00', timeZone: state.me.timeZone, templateKey: '' };

  const choices = [
    ...state.templates.map((t) => ({ ...t, key: `own-${t.id}`, label: t.name, sub: 'Your template' })),
    ...state.routines.map((r) => ({ ...r, key: `lib-${r.id}`, label: r.name, sub: `${r.estimatedMinutes} min · ${r.forWhom}` })),
  ];
  const stretchList = h('ol', { class: 'stretches', 'data-testid': 'stretch-list' });
  const editor = h('section', { hidden: true });
  const buttons = choices.map((c) => h('button', {
    type: 'button', class: 'template', 'aria-pressed': 'false', 'data-testid': `template-${c.key.replace(/^lib-/, '')}`,
    onclick: () => {
      pickTemplate(c);
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === buttonsByKey[c.key]));
      editor.hidden = false;
      renderStretches(stretchList);
      days.value = String(state.draft.days);
      cadence.value = String(state.draft.cadenceDays);
      notes.value = state.draft.notes;
      name.focus();
    },
  }, h('strong', {}, c.label), h('small', {}, c.sub)));
  const buttonsByKey = Object.fromEntries(choices.map((c, i) => [c.key, buttons[i]]));

  const name = h('input', { id: 'client-name', autocomplete: 'off', autocapitalize: 'words', maxlength: '40', required: true, 'data-testid': 'client-name', placeholder: 'First name' });
  const sessionAt = h('input', { id: 'session-at', type: 'datetime-local', value: localInput(new Date()) });
  const nextAt = h('input', { id: 'next-at', type: 'datetime-local' });
  const cadence = h('select', { id: 'cadence' },
    h('option', { value: '7' }, 'Weekly (acute)'), h('option', { value: '14' }, 'Every 2 weeks'),
    h('option', { value: '21' }, 'Every 3 weeks'), h('option', { value: '28' }, 'Every 4 weeks (maintenance)'), h('option', { value: '0' }, 'No booking reminder'));
  const days = h('select', { id: 'days' }, [7, 14, 21, 28].map((d) => h('option', { value: String(d), selected: d === 14 }, `${d} days`)));
  const stretchTime = h('input', { id: 'stretch-time', type: 'time', value: '19:00' });
  const zone = h('input', { id: 'tz', value: state.me.timeZone });
  const notes = h('textarea', { id: 'notes', maxlength: '1000', placeholder: 'Focus areas, pressure used, what to watch for' });
  const err = h('p', { class: 'error', role: 'alert' });
  const create = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'create-plan' }, 'Create plan & show QR');
  const saveTpl = h('button', { type: 'button' }, 'Save as my template');
  const add = h('select', { 'aria-label': 'Add a stretch', 'data-testid': 'add-stretch' },
    h('option', { value: '' }, '+ Add a stretch…'),
    [...state.stretches.values()].map((st) => h('option', { value: st.id }, st.name)));
  add.addEventListener('change', () => {
    const st = state.stretches.get(add.value);
    add.value = '';
    if (!st || state.draft.stretches.some((x) => x.stretchId === st.id)) return;
    state.draft.stretches.push({ stretchId: st.id, holdSeconds: st.holdSeconds, reps: st.reps });
    renderStretches(stretchList);
  });

  const body = () => {
    const b = {
      clientName: name.value.trim(), routineId: state.draft.routineId, sessionAt: toRFC3339(sessionAt.value),
      nextSessionAt: nextAt.value ? toRFC3339(nextAt.value) : null, timeZone: zone.value.trim(), stretchTime: stretchTime.value || '19:00',
      days: Number(days.value), notes: notes.value.trim(), cadenceDays: Number(cadence.value),
    };
    if (JSON.stringify(state.draft.stretches) !== state.draft.base) b.stretches = state.draft.stretches;
    return b;
  };
  const form = h('form', {},
    h('h2', {}, '1. Routine'), h('div', { class: 'templates', role: 'group', 'aria-label': 'Routine templates' }, buttons),
    editor);
  editor.append(
    h('h2', {}, '2. Client'),
    h('label', { for: 'client-name' }, 'Client’s first name'), name,
    h('label', { for: 'next-at' }, 'Next session (if booked)'), nextAt,
    h('label', { for: 'cadence' }, 'If nothing is booked, remind them to book'), cadence,
    h('h2', {}, '3. Stretches'), h('p', { class: 'hint' }, 'Hold in seconds × repetitions. Use the arrows to reorder.'), stretchList, add,
    h('details', {}, h('summary', {}, 'More: session time, length, time zone, notes'),
      h('label', { for: 'session-at' }, 'Session time'), sessionAt,
      h('label', { for: 'days' }, 'Plan length'), days,
      h('label', { for: 'stretch-time' }, 'Daily stretch reminder at'), stretchTime,
      h('label', { for: 'tz' }, 'Client’s time zone'), zone,
      h('label', { for: 'notes' }, 'Notes for the client'), notes),
    err, create, h('p', {}, saveTpl));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      err.textContent = 'Type the client’s first name.';
      name.focus();
      return;
    }
    busy(create, err, async () => {
      const res = await api('POST', '/api/plans', body());
      state.lastCreated = { token: res.token, url: res.url, name: name.value.trim() };
      location.hash = `#/qr/${res.token}`;
    });
  });
  saveTpl.addEventListener('click', () => {
    const label = prompt('Name of your template', 'My routine');
    if (!label) return;
    busy(saveTpl, err, async () => {
      await api('POST', '/api/templates', { name: label, routineId: state.draft.routineId, stretches: state.draft.stretches, days: Number(days.value), cadenceDays: Number(cadence.value), notes: notes.value.trim() });
      announce('Template saved');
      saveTpl.textContent = 'Saved ✓';
    });
  });
  show(h('h1', {}, 'New plan'), form);
}

function renderStretches(ol) {
  const list = state.draft.stretches;
  ol.replaceChildren(...list.map((item, i) => {
    const st = state.stretches.get(item.stretchId) || { name: item.stretchId };
    const num = (field, label, min, max) => {
      const input = h('input', { type: 'number', inputmode: 'numeric', min: String(min), max: String(max), value: String(item[field]), 'aria-label': `${label} for ${st.name}` });
      input.addEventListener('change', () => { item[field] = Math.min(max, Math.max(min, Number(input.value) || min)); input.value = String(item[field]); });
      return input;
    };
    const move = (d) => () => {
      const j = i + d;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j], list[i]];
      renderStretches(ol);
    };
    return h('li', { class: 'stretch' },
      h('span', { class: 'name' }, `${i + 1}. ${st.name}`),
      h('span', { class: 'moves' },
        h('button', { type: 'button', class: 'icon', 'aria-label': `Move ${st.name} up`, disabled: i === 0, onclick: move(-1) }, '↑'),
        h('button', { type: 'button', class: 'icon', 'aria-label': `Move ${st.name} down`, disabled: i === list.length - 1, onclick: move(1) }, '↓'),
        h('button', { type: 'button', class: 'icon', 'aria-label': `Remove ${st.name}`, disabled: list.length === 1, onclick: () => { list.splice(i, 1); renderStretches(ol); } }, '✕')),
      h('span', { class: 'nums' }, num('holdSeconds', 'Hold seconds', 5, 120), 's ×', num('reps', 'Repetitions', 1, 10), st.perSide ? 'each side' : ''));
  }));
}

async function qrScreen(token) {
  let info = state.lastCreated && state.lastCreated.token === token ? state.lastCreated : null;
  if (!info) {
    const p = await api('GET', `/api/plans/${token}`);
    info = { token, url: p.url, name: p.clientName };
  }
  const img = h('img', { class: 'qr', src: `/api/plans/${token}/qr`, alt: `QR code of ${info.name}’s plan link`, width: '420', height: '420', 'data-testid': 'qr' });
  const link = h('input', { class: 'link', readonly: true, value: info.url, 'aria-label': 'Plan link', 'data-testid': 'plan-link' });
  const copy = h('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy link');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(info.url);
    } catch {
      link.select();
      document.execCommand('copy');
    }
    copy.textContent = 'Copied ✓';
    announce('Link copied');
  });
  const share = navigator.share && h('button', { type: 'button', class: 'primary' }, 'Share…');
  if (share) {
    share.addEventListener('click', () => navigator.share({ title: 'Your aftercare plan', text: `Hi ${info.name}, here are your stretches and reminders after today’s session:`, url: info.url }).catch(() => {}));
  }
  show(h('h1', {}, `Scan this, ${info.name}`),
    h('p', { class: 'hint' }, 'Point the phone’s camera at the code, then tap the link that appears. Add it to the Home Screen for reminders.'),
    h('div', { class: 'qr-wrap' }, img),
    h('p', {}, link),
    h('div', { class: 'row' }, copy, share, printLink(token), h('a', { href: `#/plan/${token}`, class: 'btn' }, 'Plan details'), h('a', { href: '#/', class: 'btn' }, 'Done')));
}

/** printLink opens the plan made for paper (stretches, warning signs, QR) to hand over at the desk. */
function printLink(token) {
  return h('a', { href: `/p/${token}/print`, class: 'btn', target: '_blank', rel: 'noopener', 'data-testid': 'print-for-client' }, 'Print for the client');
}

// ---- Plan detail ---------------------------------------------------------------------

/** dots draws one circle per point as a single path, so a long history stays a few DOM nodes. */
const dots = (cls, r, pts) => s('path', { class: cls, d: pts.map(([cx, cy]) => `M${(cx - r).toFixed(1)},${cy.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join('') });

/** chart draws the plan's series: points are [unix seconds, soreness, pain, red flag 0/1], oldest first. */
function chart(p, series) {
  const pts = series.points;
  if (!pts.length) return h('p', { class: 'muted' }, 'No check-ins yet. The client is asked 24 h and 48 h after the session.');
  const W = 300, H = 130, L = 18, R = 6, T = 8, B = 18;
  const t0 = Date.parse(p.sessionAt);
  const t1 = Math.max(pts[pts.length - 1][0] * 1000, t0 + 48 * 36e5);
  const x = (sec) => L + ((sec * 1000 - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - v / 10) * (H - T - B);
  const g = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `Soreness and pain over ${series.total} check-ins` });
  for (const v of [0, 5, 10]) g.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }), s('text', { class: 'axis', x: 2, y: y(v) + 2.5 }, String(v)));
  g.append(s('text', { class: 'axis', x: L, y: H - 4 }, fmtDay.format(new Date(t0))), s('text', { class: 'axis', x: W - R - 30, y: H - 4 }, fmtDay.format(new Date(t1))));
  const line = (i, cls) => s('polyline', { class: cls, points: pts.map((q) => `${x(q[0]).toFixed(1)},${y(q[i]).toFixed(1)}`).join(' ') });
  // A dot per check-in while they can be told apart; red flags always.
  const few = pts.length <= 60;
  g.append(...[line(1, 'sore'), line(2, 'pain'),
    few && dots('dot-sore', 2.5, pts.filter((q) => !q[3]).map((q) => [x(q[0]), y(q[1])])),
    few && dots('dot-pain', 2.5, pts.map((q) => [x(q[0]), y(q[2])])),
    dots('dot-red', 4, pts.filter((q) => q[3]).map((q) => [x(q[0]), y(q[1])]))].filter(Boolean));
  return h('figure', {}, g, h('figcaption', { class: 'legend hint' }, h('span', { class: 'sore' }, '— soreness'), ' ', h('span', { class: 'pain' }, '- - pain'), ' (0–10)'));
}

/**
 * pagedList shows the newest page of a plan's check-ins or completions; "Show older"
 * appends the next page from /api/plans/{token}/{kind} (and hands it to onItems).
 */
function pagedList(token, kind, items, next, row, { testid, empty, noun, onItems }) {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  const list = h('ul', { 'data-testid': testid }, items.map(row));
  if (!next) return list;
  const err = h('p', { class: 'error', role: 'alert' });
  const more = h('button', { type: 'button', 'data-testid': `${testid}-older` }, 'Show older');
  more.addEventListener('click', () => busy(more, err, async () => {
    const page = await api('GET', `/api/plans/${token}/${kind}?before=${encodeURIComponent(next)}`);
    const rows = page.items.map(row);
    list.append(...rows);
    if (onItems) onItems(page.items);
    next = page.next;
    if (!next) more.remove();
    announce(`${rows.length} older ${noun} shown`);
    if (rows.length) {
      rows[0].tabIndex = -1;
      rows[0].focus();
    }
  }));
  return [list, err, h('p', {}, more)];
}

const flagText = { 'leg-weakness': 'leg weakness', 'saddle-numbness': 'numbness in the saddle area', 'bladder-bowel': 'bladder or bowel changes' };

async function planDetail(token) {
  const [p, series] = await Promise.all([api('GET', `/api/plans/${token}`), api('GET', `/api/plans/${token}/series`)]);
  const active = !p.endedAt && Date.now() < Date.parse(p.sessionAt) + p.days * 864e5 + 864e5;
  const err = h('p', { class: 'error', role: 'alert' });
  // Alerts count only check-ins received after a therapist last marked them handled (as on the clients list).
  const handledAt = p.alertsHandledAt ? Date.parse(p.alertsHandledAt) : 0;
  const pending = (c) => !handledAt || Date.parse(c.receivedAt || c.at) > handledAt;
  // The server finds the newest unhandled red flag however far back it is; check-ins come newest first.
  const flag = p.pendingRedFlag;
  const latest = p.checkins[0];
  const sore48 = latest && pending(latest) && latest.soreness >= 7 && Date.parse(latest.at) - Date.parse(p.sessionAt) >= 48 * 36e5;
  const handledBy = p.alertsHandledBy === state.me.id ? 'you' : 'a colleague';
  const handledNote = handledAt > 0 && h('p', { class: 'muted', role: 'status', 'data-testid': 'alerts-handled' },
    `Alerts handled ${when(p.alertsHandledAt)} by ${handledBy}.`);
  let markHandled = null;
  if (flag || sore48) {
    markHandled = h('button', { type: 'button', 'data-testid': 'mark-handled', 'aria-describedby': 'alert-banners' }, 'Mark as handled');
    markHandled.addEventListener('click', () => busy(markHandled, err, async () => {
      await api('PATCH', `/api/plans/${token}`, { alertsHandled: true });
      announce('Alerts marked as handled');
      planDetail(token);
    }));
  }
  const banners = h('div', { id: 'alert-banners' },
    flag && h('div', { class: 'banner red-flag', role: 'alert' }, `Red flag reported ${when(flag.at)}: ${flag.redFlags.map((f) => flagText[f] || f).join(', ')}. The app told the client to seek urgent care — contact them.`),
    sore48 && h('div', { class: 'banner still-sore' }, `Still sore (${latest.soreness}/10) 48 hours after the session — consider contacting ${p.clientName}.`));
  const alerts = markHandled
    ? [banners, h('div', { class: 'row' }, markHandled, handledNote && h('span', { class: 'muted' }, `Last handled ${when(p.alertsHandledAt)} by ${handledBy}.`))]
    : handledNote;
  // "In their words" grows with the check-ins shown: "Show older" under Check-ins adds to both.
  const hasWords = (c) => c.note || c.areas.length || c.feelings.length;
  const wordRow = (c) => h('li', {},
    h('span', { class: 'hint' }, `${when(c.at)}: `),
    c.areas.length ? `where: ${c.areas.join(', ').replace(/-/g, ' ')}. ` : '',
    c.feelings.length ? `feels: ${c.feelings.join(', ')}. ` : '',
    c.note ? h('span', { class: 'words' }, `“${c.note}”`) : '');
  const words = h('ul', { 'data-testid': 'words' }, p.checkins.filter(hasWords).map(wordRow));
  const wordsBox = h('div', {}, words.childElementCount ? words : h('p', { class: 'muted' }, p.checkinsNext
    ? 'Nothing in the latest check-ins. “Show older” under Check-ins brings earlier ones.'
    : 'Nothing yet. Before the next session the app asks where it hurts and what it feels like.'));
  const addWords = (items) => {
    const rows = items.filter(hasWords).map(wordRow);
    words.append(...rows);
    if (rows.length && !words.isConnected) wordsBox.replaceChildren(words);
  };
  const checkinRow = (c) => h('li', {}, `${when(c.at)} — soreness ${c.soreness}, pain ${c.pain}`, c.redFlags.length ? h('strong', { class: 'error' }, ` · red flag: ${c.redFlags.map((f) => flagText[f] || f).join(', ')}`) : '');
  const history = pagedList(token, 'checkins', p.checkins, p.checkinsNext, checkinRow, { testid: 'checkins', empty: 'None yet.', noun: 'check-ins', onItems: addWords });
  const done = pagedList(token, 'completions', p.completions, p.completionsNext, (c) => h('li', {}, `${when(c.at)} — ${c.done}/${c.total} stretches`),
    { testid: 'completions', empty: 'None yet.', noun: 'stretch sessions' });

  const nextAt = h('input', { id: 'next-at', type: 'datetime-local', value: p.nextSessionAt ? localInput(new Date(p.nextSessionAt)) : null });
  const cadence = h('select', { id: 'cadence' }, [[7, 'Weekly (acute)'], [14, 'Every 2 weeks'], [21, 'Every 3 weeks'], [28, 'Every 4 weeks'], [0, 'No booking reminder']]
    .map(([v, t]) => h('option', { value: String(v), selected: p.cadenceDays === v }, t)));
  const save = h('button', { type: 'button', class: 'primary' }, 'Save');
  save.addEventListener('click', () => busy(save, err, async () => {
    await api('PATCH', `/api/plans/${token}`, { nextSessionAt: nextAt.value ? toRFC3339(nextAt.value) : '', cadenceDays: Number(cadence.value) });
    announce('Saved');
    planDetail(token);
  }));
  const extend = h('button', { type: 'button', 'data-testid': 'extend' }, 'Extend 7 days');
  extend.addEventListener('click', () => busy(extend, err, async () => { await api('PATCH', `/api/plans/${token}`, { extendDays: 7 }); planDetail(token); }));
  const end = h('button', { type: 'button', class: 'danger', 'data-testid': 'end-plan' }, 'End plan');
  end.addEventListener('click', () => {
    if (!confirm(`End ${p.clientName}’s plan? Reminders stop; the client can still open their stretches.`)) return;
    busy(end, err, async () => { await api('POST', `/api/plans/${token}/end`); planDetail(token); });
  });

  show(h('h1', {}, p.clientName),
    h('p', { class: 'muted' }, `${p.routine.name} · ${active ? `${p.days}-day plan` : 'ended'}`),
    alerts,
    h('div', { class: 'row' }, h('a', { href: `#/qr/${token}`, class: 'btn' }, 'Show QR / link'), printLink(token)),
    h('h2', {}, 'Soreness and pain'), chart(p, series),
    h('h2', {}, 'In their words'), wordsBox,
    h('h2', {}, `Check-ins (${p.checkinsTotal})`), history,
    h('h2', {}, `Stretch sessions (${p.completionsTotal})`), done,
    h('h2', {}, 'Plan'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Session'), h('dd', {}, when(p.sessionAt)),
      h('dt', {}, 'Next session'), h('dd', {}, p.nextSessionAt ? when(p.nextSessionAt) : 'not booked'),
      h('dt', {}, 'Time zone'), h('dd', {}, p.timeZone),
      h('dt', {}, 'Notes'), h('dd', {}, p.notes || '—')),
    h('div', { class: 'card' },
      h('label', { for: 'next-at' }, 'Next session'), nextAt,
      h('label', { for: 'cadence' }, 'If nothing is booked, remind them to book'), cadence,
      h('p', {}, save)),
    err,
    h('div', { class: 'row' }, extend, active && end));
}

// ---- Settings: alerts, password, API tokens, team ------------------------------------

function urlBase64ToBytes(b64) {
  const pad = '='.repeat((4 - (b64.length % 4)) % 4);
  const raw = atob((b64 + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function alertSection() {
  const status = h('p', { class: 'hint', role: 'status' });
  const btn = h('button', { type: 'button', class: 'primary', 'data-testid': 'alert-device' }, 'Alert me on this device');
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  try {
    const { devices } = await api('GET', '/api/therapist/subscription');
    status.textContent = devices ? `${devices} device(s) receive red-flag and “still sore” alerts.` : 'No device receives alerts yet.';
  } catch { /* shown elsewhere */ }
  if (!supported) {
    btn.disabled = true;
    status.textContent = 'This browser cannot receive alerts. On an iPhone, add the workspace to the Home Screen first and open it from there.';
  }
  // The permission prompt comes only from this tap (iOS requires a user gesture).
  btn.addEventListener('click', () => busy(btn, status, async () => {
    const perm = await Notification.requestPermission();
    if (perm !== 'granted') throw new Error('Notifications are blocked for this site. Allow them in the browser settings, then tap again.');
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const { publicKey } = await api('GET', '/api/push/key');
    let sub = await reg.pushManager.getSubscription();
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(publicKey) });
    await api('PUT', '/api/therapist/subscription', sub.toJSON());
    status.textContent = 'This device will get red-flag and “still sore” alerts.';
  }));
  return [h('h2', {}, 'Alerts'), h('p', {}, 'Get a notification when a client reports a red flag or is still sore 48 hours after a session.'), btn, status];
}

function passwordSection() {
  const current = h('input', { id: 'cur-pw', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'new-pw', type: 'password', autocomplete: 'new-password', minlength: '10' });
  const msg = h('p', { role: 'status' });
  const btn = h('button', { type: 'button' }, 'Change password');
  btn.addEventListener('click', () => busy(btn, msg, async () => {
    const { apiTokens } = await api('PUT', '/api/session/password', { currentPassword: current.value, newPassword: next.value });
    current.value = next.value = '';
    msg.textContent = 'Password changed. Other devices were logged out.' + (apiTokens.length
      ? ` These API tokens still work: ${apiTokens.map((t) => t.name).join(', ')}. Revoke any you do not trust under “API tokens”.`
      : '');
  }));
  return [h('h2', {}, 'Password'), h('label', { for: 'cur-pw' }, 'Current password'), current, h('label', { for: 'new-pw' }, 'New password (at least 10 characters)'), next, msg, btn];
}

async function tokensSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/tokens');
    const name = h('input', { id: 'token-name', placeholder: 'e.g. booking-system', maxlength: '40' });
    const out = h('p', { role: 'status', class: 'secret' });
    const create = h('button', { type: 'button' }, 'Create token');
    create.addEventListener('click', () => busy(create, out, async () => {
      const t = await api('POST', '/api/tokens', { name: name.value.trim() });
      await render();
      box.append(h('div', { class: 'card' }, h('p', {}, 'Copy it now — it is shown only once:'), h('p', { class: 'secret link', 'data-testid': 'new-token' }, t.token)));
    }));
    box.replaceChildren(
      list.length ? h('ul', {}, list.map((t) => {
        const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke');
        revoke.addEventListener('click', () => busy(revoke, out, async () => { await api('DELETE', `/api/tokens/${t.id}`); await render(); }));
        return h('li', { class: 'row' }, h('span', { class: 'grow' }, `${t.name} (created ${fmtDay.format(new Date(t.createdAt))})`), revoke);
      })) : h('p', { class: 'muted' }, 'No API tokens.'),
      h('label', { for: 'token-name' }, 'New token for an integration'), name, out, create);
  };
  await render();
  return [h('h2', {}, 'API tokens'), h('p', { class: 'hint' }, 'For a booking system creating plans after an appointment: send Authorization: Bearer <token> to /api/plans.'), box];
}

async function templatesSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/templates');
    const out = h('p', { role: 'status' });
    box.replaceChildren(
      list.length ? h('ul', {}, list.map((t) => {
        const del = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete template ${t.name}` }, 'Delete');
        del.addEventListener('click', () => {
          if (!confirm(`Delete your template “${t.name}”? Plans made from it stay as they are.`)) return;
          busy(del, out, async () => { await api('DELETE', `/api/templates/${t.id}`); await render(); announce('Template deleted'); });
        });
        return h('li', { class: 'row', 'data-testid': 'own-template' }, h('span', { class: 'grow' }, `${t.name} (${t.stretches.length} stretches)`), del);
      })) : h('p', { class: 'muted' }, 'None yet. On “New plan”, adjust a routine and tap “Save as my template”.'),
      out);
  };
  await render();
  return [h('h2', {}, 'My templates'), box];
}

// pendingInvites renders the owner's unused, unexpired invitations, each with a Cancel button, into box.
async function pendingInvites(box) {
  const list = await api('GET', '/api/therapists/invites');
  const out = h('p', { role: 'status' });
  box.replaceChildren(h('h3', {}, 'Pending invitations'), list.length ? h('ul', {}, list.map((inv) => {
    const who = inv.email || 'anyone with the link';
    const cancel = h('button', { type: 'button', class: 'danger', 'aria-label': `Cancel the invitation for ${who}` }, 'Cancel');
    cancel.addEventListener('click', () => {
      if (!confirm(`Cancel the invitation for ${who}? Its link stops working.`)) return;
      busy(cancel, out, async () => { await api('DELETE', `/api/therapists/invites/${inv.id}`); await pendingInvites(box); announce('Invitation cancelled'); });
    });
    return h('li', { class: 'row', 'data-testid': 'pending-invite' },
      h('span', { class: 'grow' }, `${who} · created ${fmtDay.format(new Date(inv.createdAt))} · expires ${fmtDay.format(new Date(inv.expiresAt))}`), cancel);
  })) : h('p', { class: 'muted' }, 'No pending invitations.'), out);
}

async function teamSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/therapists');
    const email = h('input', { id: 'invite-email', type: 'email', placeholder: 'colleague@example.org (optional)' });
    const out = h('p', { role: 'status', class: 'secret' });
    const invites = h('div', {});
    const invite = h('button', { type: 'button' }, 'Create invitation link');
    invite.addEventListener('click', () => busy(invite, out, async () => {
      const inv = await api('POST', '/api/therapists/invites', { email: email.value.trim() });
      out.replaceChildren('One-time link, valid 7 days — send it to your colleague: ', h('span', { class: 'link', 'data-testid': 'invite-link' }, inv.url));
      await pendingInvites(invites);
    }));
    await pendingInvites(invites);
    box.replaceChildren(
      h('ul', {}, list.map((t) => {
        const toggle = !t.owner && h('button', { type: 'button', class: t.disabled ? '' : 'danger' }, t.disabled ? 'Enable' : 'Disable');
        if (toggle) toggle.addEventListener('click', () => busy(toggle, out, async () => { await api('PATCH', `/api/therapists/${t.id}`, { disabled: !t.disabled }); await render(); }));
        return h('li', { class: 'row' }, h('span', { class: 'grow' }, `${t.name} <${t.email}>${t.owner ? ' · owner' : ''}${t.disabled ? ' · disabled' : ''}`), toggle);
      })),
      invites, h('label', { for: 'invite-email' }, 'Invite a therapist'), email, invite, out);
  };
  await render();
  return [h('h2', {}, 'Team'), box];
}

async function settings() {
  const logout = h('button', { type: 'button', 'data-testid': 'logout' }, 'Log out');
  logout.addEventListener('click', () => busy(logout, null, async () => {
    await api('DELETE', '/api/session');
    state.me = null;
    location.hash = '#/login';
  }));
  const sections = [await alertSection(), await templatesSection(), passwordSection(), await tokensSection()];
  if (state.me.owner) sections.push(await teamSection());
  show(h('h1', {}, 'Settings'), h('p', { class: 'muted' }, `${state.me.name} · ${state.me.email}`),
    ...sections.map((sec) => h('section', { class: 'card' }, sec)), h('p', {}, logout));
}
