// @ts-check
// Settings: alerts on this device, own templates, password, API tokens, and for the studio
// owner the studio's identity, the team and invitations and the webhook for integrations.
import { h, announce } from '../shared/dom.js';
import { base64urlToBytes } from '../shared/base64url.js';
import { state, api, busy, show, fmtDay, when } from './workspace.js';

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
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlToBytes(publicKey) });
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

/**
 * studioSection is the owner's studio identity: what clients see in their app, on the home
 * screen, in notifications, the calendar and the printed plan.
 */
async function studioSection() {
  const st = await api('GET', '/api/admin/studio');
  /** @param {string} id @param {string} label @param {Record<string, string>} props */
  const field = (id, label, props) => {
    const input = h('input', { id, ...props });
    return { input, parts: [h('label', { for: id }, label), input] };
  };
  const name = field('studio-name', 'Studio name', { value: st.name || '', maxlength: '80', autocomplete: 'organization', 'data-testid': 'studio-name' });
  const booking = field('studio-booking', 'Booking page (https://…)', { type: 'url', value: st.bookingUrl || '', inputmode: 'url', placeholder: 'https://book.example.org/your-studio', 'data-testid': 'studio-booking' });
  const phone = field('studio-phone', 'Phone', { type: 'tel', value: st.phone || '', maxlength: '32', autocomplete: 'tel', 'data-testid': 'studio-phone' });
  const address = field('studio-address', 'Address', { value: st.address || '', maxlength: '160', autocomplete: 'street-address' });
  const picker = h('input', { id: 'studio-accent-pick', type: 'color', value: st.accentChosen || st.accent, 'aria-label': 'Pick the accent colour' });
  const accent = h('input', { id: 'studio-accent', value: st.accentChosen || '', placeholder: st.accent, maxlength: '7', 'data-testid': 'studio-accent' });
  picker.addEventListener('input', () => { accent.value = picker.value; });
  accent.addEventListener('change', () => { if (/^#[0-9a-f]{6}$/i.test(accent.value.trim())) picker.value = accent.value.trim(); });
  const result = h('div', { role: 'status', 'data-testid': 'studio-result' });
  /** @param {any} v */
  const describe = (v) => {
    const swatch = (/** @type {string} */ label, /** @type {string} */ colour) => {
      const i = h('i', {});
      i.style.background = colour; // CSSOM, which the CSP allows (no inline style attribute)
      return h('span', { class: 'swatch' }, i, `${label} ${colour}`);
    };
    result.replaceChildren(
      v.adjusted ? h('p', { class: 'error', 'data-testid': 'accent-adjusted' }, v.message) : h('p', { class: 'hint' }, 'The colour passes WCAG AA contrast in light and dark mode.'),
      h('div', { class: 'swatches' }, swatch('Light', v.accent), swatch('Dark', v.accentDark)));
  };
  describe(st);
  const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'studio-save' }, 'Save studio');
  const msg = h('p', { role: 'status' });
  save.addEventListener('click', () => busy(save, msg, async () => {
    const v = await api('PUT', '/api/admin/studio', {
      name: name.input.value.trim(), accent: accent.value.trim(), bookingUrl: booking.input.value.trim(),
      phone: phone.input.value.trim(), address: address.input.value.trim(),
    });
    describe(v);
    msg.textContent = 'Saved. Clients see it the next time they open their plan.';
  }));

  const preview = h('img', { class: 'logo-preview', alt: 'The studio’s logo', hidden: !st.logo, src: st.logo || null, 'data-testid': 'logo-preview' });
  const file = h('input', { id: 'studio-logo', type: 'file', accept: 'image/png,image/jpeg', 'data-testid': 'studio-logo' });
  const logoMsg = h('p', { role: 'status' });
  const remove = h('button', { type: 'button', class: 'danger', hidden: !st.logo }, 'Remove logo');
  /** @param {any} v */
  const showLogo = (v) => {
    preview.hidden = remove.hidden = !v.logo;
    if (v.logo) preview.src = v.logo;
  };
  file.addEventListener('change', () => {
    const f = file.files && file.files[0];
    if (!f) return;
    busy(save, logoMsg, async () => {
      if (f.size > 64 * 1024) throw new Error('The logo must be at most 64 KB: export it at 512 × 512 pixels or smaller.');
      const v = await api('PUT', '/api/admin/studio/logo', f);
      showLogo(v);
      logoMsg.textContent = 'Logo saved: clients’ home-screen icons and notifications use it.';
    }).finally(() => { file.value = ''; });
  });
  remove.addEventListener('click', () => busy(remove, logoMsg, async () => {
    showLogo(await api('DELETE', '/api/admin/studio/logo'));
    logoMsg.textContent = 'Logo removed.';
  }));

  return [h('h2', {}, 'Studio'),
    h('p', { class: 'hint' }, 'What clients see in their app, on their home screen, in reminders, their calendar and the printed plan.'),
    name.parts,
    h('label', { for: 'studio-accent' }, 'Accent colour'), h('div', { class: 'colour' }, picker, accent), result,
    booking.parts, h('p', { class: 'hint' }, 'The “time to book” reminder opens it. Without one, it says to call the studio.'),
    phone.parts, address.parts, msg, save,
    h('label', { for: 'studio-logo' }, 'Logo (PNG or JPEG, at most 64 KB)'), preview, file, logoMsg, remove];
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

/** What each webhook event is, in the owner's words. @type {Record<string, string>} */
const hookEvents = {
  'plan.created': 'A plan is created',
  'checkin.created': 'A client checks in (scores and warning-sign tier)',
  'plan.ended': 'A therapist ends a plan early',
  'plan.erased': 'A client erases their plan',
};

/**
 * hookStatus says in one line whether events go out and how delivery went lately.
 * @param {any} v the webhook settings
 */
function hookStatus(v) {
  if (!v.url) return 'No webhook: nothing is sent.';
  if (!v.enabled) return `Turned off: ${v.disabledReason} Save to turn it back on.`;
  const parts = ['Events are sent.'];
  if (v.status.lastDeliveredAt) parts.push(`Last delivered ${when(v.status.lastDeliveredAt)}.`);
  if (v.status.lastFailedAt) parts.push(`Last failure ${when(v.status.lastFailedAt)}: ${v.status.lastFailure}.`);
  if (v.pending) parts.push(`${v.pending} waiting for a retry.`);
  if (v.status.dropped) parts.push(`${v.status.dropped} given up after a day of retries.`);
  return parts.join(' ');
}

async function webhookSection() {
  const box = h('div', {});
  /** @param {any} v @param {string} [note] */
  const render = (v, note) => {
    const url = h('input', { id: 'hook-url', type: 'url', inputmode: 'url', autocomplete: 'off', placeholder: 'https://hooks.example.org/aftercare', value: v.url });
    const chosen = new Set(v.url ? v.events : v.availableEvents);
    const boxes = v.availableEvents.map((/** @type {string} */ e) => {
      const cb = h('input', { type: 'checkbox', value: e, id: `hook-${e}` });
      cb.checked = chosen.has(e);
      return { e, cb, label: h('label', { class: 'check', for: `hook-${e}` }, cb, h('span', {}, hookEvents[e] || e, ' ', h('code', {}, e))) };
    });
    const notes = h('input', { type: 'checkbox', id: 'hook-notes' });
    notes.checked = v.includeNotes;
    const out = h('p', { role: 'status', 'data-testid': 'hook-status' }, note || hookStatus(v));
    const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'hook-save' }, v.url ? 'Save' : 'Save and make a secret');
    /** @param {boolean} rotate */
    const put = (rotate) => api('PUT', '/api/admin/webhook', {
      url: url.value.trim(), events: boxes.filter((b) => b.cb.checked).map((b) => b.e), includeNotes: notes.checked, rotateSecret: rotate,
    });
    const saved = (/** @type {any} */ nv) => {
      render(nv, nv.url ? 'Saved.' : 'Webhook removed: nothing more is sent, and what waited was deleted.');
      if (nv.secret) {
        box.append(h('div', { class: 'card' }, h('p', {}, 'Signing secret — copy it into the receiver now, it is shown only once:'),
          h('p', { class: 'secret link', 'data-testid': 'hook-secret' }, nv.secret)));
      }
    };
    save.addEventListener('click', () => busy(save, out, async () => saved(await put(false))));
    const actions = [save];
    if (v.url) {
      const test = h('button', { type: 'button', 'data-testid': 'hook-test' }, 'Send a test event');
      test.addEventListener('click', () => busy(test, out, async () => {
        const r = await api('POST', '/api/admin/webhook/test');
        out.textContent = `The receiver took the test event (answered ${r.status}).` + (r.pending ? ` ${r.pending} waiting event(s) sent on now.` : '');
      }));
      const rotate = h('button', { type: 'button' }, 'New secret');
      rotate.addEventListener('click', () => {
        if (!confirm('Make a new signing secret? The old one keeps signing next to it for 24 hours, so the receiver can switch.')) return;
        busy(rotate, out, async () => saved(await put(true)));
      });
      const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
      remove.addEventListener('click', () => {
        if (!confirm('Remove the webhook? Nothing more is sent, and events waiting for a retry are deleted.')) return;
        url.value = '';
        busy(remove, out, async () => saved(await put(false)));
      });
      actions.push(test, rotate, remove);
    }
    box.replaceChildren(
      h('label', { for: 'hook-url' }, 'Receiver URL (https)'), url,
      v.url ? h('p', { class: 'hint' }, `Secret ${v.secretHint}` + (v.previousSecretUntil ? `; the previous one also signs until ${when(v.previousSecretUntil)}.` : '')) : '',
      h('fieldset', { class: 'checks' }, h('legend', {}, 'Send'), ...boxes.map((b) => b.label)),
      h('label', { class: 'check', for: 'hook-notes' }, notes, h('span', {}, 'Include the client’s own words (check-in notes). Off: the receiver gets scores and the warning-sign tier only.')),
      out, h('div', { class: 'row' }, ...actions));
  };
  render(await api('GET', '/api/admin/webhook'));
  return [h('h2', {}, 'Webhook for integrations'),
    h('p', { class: 'hint' }, 'Tell another system (a booking system, a CRM) when plans are made, clients check in and plans end or are erased. Events carry a plan id, never names or the plan link, and are signed (Standard Webhooks).'),
    box];
}

export async function settings() {
  const logout = h('button', { type: 'button', 'data-testid': 'logout' }, 'Log out');
  logout.addEventListener('click', () => busy(logout, null, async () => {
    await api('DELETE', '/api/session');
    state.me = null;
    location.hash = '#/login';
  }));
  /** @type {Child[][]} */
  const sections = [await alertSection(), await templatesSection(), passwordSection(), await tokensSection()];
  if (state.me.owner) sections.push(await studioSection(), await teamSection(), await webhookSection());
  show(h('h1', {}, 'Settings'), h('p', { class: 'muted' }, `${state.me.name} · ${state.me.email}`),
    ...sections.map((sec) => h('section', { class: 'card' }, sec)), h('p', {}, logout));
}
