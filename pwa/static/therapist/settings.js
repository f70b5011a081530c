// @ts-check
// Settings: the account (the workspace's language), alerts on this device, own templates,
// password, API tokens, and for the studio owner the studio's identity, the team and
// invitations and the webhook for integrations.
import { h, announce } from '../shared/dom.js';
import { base64urlToBytes } from '../shared/base64url.js';
import { t, tn, nativeName, number } from '../shared/i18n.js';
import { state, api, busy, show, day, when, languages, useLanguage, rerender } from './workspace.js';

/** accountSection chooses the language the workspace and this therapist's alerts speak. */
function accountSection() {
  const select = h('select', { id: 'language', 'data-testid': 'language' },
    languages.map((tag) => h('option', { value: tag, lang: tag, selected: tag === state.me.language }, nativeName(tag))));
  const msg = h('p', { role: 'status' });
  select.addEventListener('change', () => busy(select, msg, async () => {
    state.me = { ...state.me, ...(await api('PUT', '/api/session/settings', { language: select.value })) };
    await useLanguage(state.me.language);
    rerender();
  }));
  return [h('h2', {}, t('settings.account.title')), h('p', { class: 'muted' }, `${state.me.name} · ${state.me.email}`),
    h('label', { for: 'language' }, t('settings.account.language')), select,
    h('p', { class: 'hint' }, t('settings.account.languageHint')), msg];
}

async function alertSection() {
  const status = h('p', { class: 'hint', role: 'status' });
  const btn = h('button', { type: 'button', class: 'primary', 'data-testid': 'alert-device' }, t('settings.alerts.button'));
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  try {
    const { devices } = await api('GET', '/api/therapist/subscription');
    status.textContent = devices ? t('settings.alerts.devices', { Count: devices }) : t('settings.alerts.noDevice');
  } catch { /* shown elsewhere */ }
  if (!supported) {
    btn.disabled = true;
    status.textContent = t('settings.alerts.unsupported');
  }
  // The permission prompt comes only from this tap (iOS requires a user gesture).
  btn.addEventListener('click', () => busy(btn, status, async () => {
    const perm = await Notification.requestPermission();
    if (perm !== 'granted') throw new Error(t('settings.alerts.blocked'));
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const { publicKey } = await api('GET', '/api/push/key');
    let sub = await reg.pushManager.getSubscription();
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64urlToBytes(publicKey) });
    await api('PUT', '/api/therapist/subscription', sub.toJSON());
    status.textContent = t('settings.alerts.on');
  }));
  return [h('h2', {}, t('settings.alerts.title')), h('p', {}, t('settings.alerts.intro')), btn, status, prepareReminder()];
}

/**
 * prepareReminder is the therapist's opt-in morning alert the day before each booked
 * session (08:00 in the plan's zone), opening that plan's summary.
 */
function prepareReminder() {
  const box = h('input', { type: 'checkbox', id: 'prepare-reminder', 'data-testid': 'prepare-reminder' });
  box.checked = !!state.me.prepareReminder;
  const msg = h('p', { class: 'hint', role: 'status' });
  box.addEventListener('change', async () => {
    const want = box.checked;
    box.disabled = true;
    msg.textContent = '';
    try {
      state.me = { ...state.me, ...(await api('PUT', '/api/session/settings', { prepareReminder: want })) };
      box.checked = !!state.me.prepareReminder;
      msg.textContent = t(box.checked ? 'settings.prepare.on' : 'settings.prepare.off');
    } catch (e) {
      box.checked = !want;
      msg.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      box.disabled = false;
    }
  });
  return [h('label', { class: 'check', for: 'prepare-reminder' }, box, h('span', {}, t('settings.prepare.label'))),
    h('p', { class: 'hint' }, t('settings.prepare.hint')), msg];
}

function passwordSection() {
  const current = h('input', { id: 'cur-pw', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'new-pw', type: 'password', autocomplete: 'new-password', minlength: '10' });
  const msg = h('p', { role: 'status' });
  const btn = h('button', { type: 'button' }, t('settings.password.change'));
  btn.addEventListener('click', () => busy(btn, msg, async () => {
    const { apiTokens } = await api('PUT', '/api/session/password', { currentPassword: current.value, newPassword: next.value });
    current.value = next.value = '';
    msg.textContent = apiTokens.length
      ? t('settings.password.changedTokens', { Names: apiTokens.map((tok) => tok.name).join(', ') })
      : t('settings.password.changed');
  }));
  return [h('h2', {}, t('settings.password.title')), h('label', { for: 'cur-pw' }, t('settings.password.current')), current, h('label', { for: 'new-pw' }, t('settings.password.new')), next, msg, btn];
}

async function tokensSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/tokens');
    const name = h('input', { id: 'token-name', placeholder: t('settings.tokens.namePlaceholder'), maxlength: '40' });
    const out = h('p', { role: 'status', class: 'secret' });
    const create = h('button', { type: 'button' }, t('settings.tokens.create'));
    create.addEventListener('click', () => busy(create, out, async () => {
      const tok = await api('POST', '/api/tokens', { name: name.value.trim() });
      await render();
      box.append(h('div', { class: 'card' }, h('p', {}, t('settings.tokens.copyNow')), h('p', { class: 'secret link', 'data-testid': 'new-token' }, tok.token)));
    }));
    box.replaceChildren(
      list.length ? h('ul', {}, list.map((tok) => {
        const revoke = h('button', { type: 'button', class: 'danger' }, t('settings.tokens.revoke'));
        revoke.addEventListener('click', () => busy(revoke, out, async () => { await api('DELETE', `/api/tokens/${tok.id}`); await render(); }));
        return h('li', { class: 'row' }, h('span', { class: 'grow' }, t('settings.tokens.row', { Name: tok.name, Date: day(tok.createdAt) })), revoke);
      })) : h('p', { class: 'muted' }, t('settings.tokens.none')),
      h('label', { for: 'token-name' }, t('settings.tokens.new')), name, out, create);
  };
  await render();
  return [h('h2', {}, t('settings.tokens.title')), h('p', { class: 'hint' }, t('settings.tokens.hint')), box];
}

async function templatesSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/templates');
    const out = h('p', { role: 'status' });
    box.replaceChildren(
      list.length ? h('ul', {}, list.map((tpl) => {
        const del = h('button', { type: 'button', class: 'danger', 'aria-label': t('settings.templates.deleteLabel', { Name: tpl.name }) }, t('settings.templates.delete'));
        del.addEventListener('click', () => {
          if (!confirm(t('settings.templates.deleteConfirm', { Name: tpl.name }))) return;
          busy(del, out, async () => { await api('DELETE', `/api/templates/${tpl.id}`); await render(); announce(t('settings.templates.deleted')); });
        });
        return h('li', { class: 'row', 'data-testid': 'own-template' }, h('span', { class: 'grow' }, t('settings.templates.row', { Name: tpl.name, Count: tpl.stretches.length })), del);
      })) : h('p', { class: 'muted' }, t('settings.templates.none')),
      out);
  };
  await render();
  return [h('h2', {}, t('settings.templates.title')), box,
    h('h2', {}, t('settings.stretches.title')), h('p', { class: 'hint' }, t('settings.stretches.intro')),
    h('p', {}, h('a', { class: 'btn', href: '#/stretches', 'data-testid': 'my-stretches' }, t('settings.stretches.open')))];
}

// pendingInvites renders the owner's unused, unexpired invitations, each with a Cancel button, into box.
async function pendingInvites(box) {
  const list = await api('GET', '/api/therapists/invites');
  const out = h('p', { role: 'status' });
  box.replaceChildren(h('h3', {}, t('settings.invites.title')), list.length ? h('ul', {}, list.map((inv) => {
    const who = inv.email || t('settings.invites.anyone');
    const cancel = h('button', { type: 'button', class: 'danger', 'aria-label': t('settings.invites.cancelLabel', { Who: who }) }, t('settings.invites.cancel'));
    cancel.addEventListener('click', () => {
      if (!confirm(t('settings.invites.cancelConfirm', { Who: who }))) return;
      busy(cancel, out, async () => { await api('DELETE', `/api/therapists/invites/${inv.id}`); await pendingInvites(box); announce(t('settings.invites.cancelled')); });
    });
    return h('li', { class: 'row', 'data-testid': 'pending-invite' },
      h('span', { class: 'grow' }, t('settings.invites.row', { Who: who, Created: day(inv.createdAt), Expires: day(inv.expiresAt) })), cancel);
  })) : h('p', { class: 'muted' }, t('settings.invites.none')), out);
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
  const name = field('studio-name', t('studio.name'), { value: st.name || '', maxlength: '80', autocomplete: 'organization', 'data-testid': 'studio-name' });
  const booking = field('studio-booking', t('studio.booking'), { type: 'url', value: st.bookingUrl || '', inputmode: 'url', placeholder: 'https://book.example.org/…', 'data-testid': 'studio-booking' });
  const phone = field('studio-phone', t('studio.phone'), { type: 'tel', value: st.phone || '', maxlength: '32', autocomplete: 'tel', 'data-testid': 'studio-phone' });
  const address = field('studio-address', t('studio.address'), { value: st.address || '', maxlength: '160', autocomplete: 'street-address' });
  const picker = h('input', { id: 'studio-accent-pick', type: 'color', value: st.accentChosen || st.accent, 'aria-label': t('studio.accentPick') });
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
      v.adjusted
        ? h('p', { class: 'error', 'data-testid': 'accent-adjusted' }, t('studio.adjusted', { Chosen: v.accentChosen, Used: v.accent, Ratio: number(v.contrast, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }))
        : h('p', { class: 'hint' }, t('studio.accentOK')),
      h('div', { class: 'swatches' }, swatch(t('studio.light'), v.accent), swatch(t('studio.dark'), v.accentDark)));
  };
  describe(st);
  const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'studio-save' }, t('studio.save'));
  const msg = h('p', { role: 'status' });
  save.addEventListener('click', () => busy(save, msg, async () => {
    const v = await api('PUT', '/api/admin/studio', {
      name: name.input.value.trim(), accent: accent.value.trim(), bookingUrl: booking.input.value.trim(),
      phone: phone.input.value.trim(), address: address.input.value.trim(),
    });
    describe(v);
    msg.textContent = t('studio.saved');
  }));

  const preview = h('img', { class: 'logo-preview', alt: t('studio.logoAlt'), hidden: !st.logo, src: st.logo || null, 'data-testid': 'logo-preview' });
  const file = h('input', { id: 'studio-logo', type: 'file', accept: 'image/jpeg,image/png,image/webp', 'data-testid': 'studio-logo' });
  const logoMsg = h('p', { role: 'status' });
  const remove = h('button', { type: 'button', class: 'danger', hidden: !st.logo }, t('studio.logoRemove'));
  /** @param {any} v */
  const showLogo = (v) => {
    preview.hidden = remove.hidden = !v.logo;
    if (v.logo) preview.src = v.logo;
  };
  file.addEventListener('change', () => {
    const f = file.files && file.files[0];
    if (!f) return;
    busy(save, logoMsg, async () => {
      showLogo(await api('PUT', '/api/admin/studio/logo', f));
      logoMsg.textContent = t('studio.logoSaved');
    }).finally(() => { file.value = ''; });
  });
  remove.addEventListener('click', () => busy(remove, logoMsg, async () => {
    showLogo(await api('DELETE', '/api/admin/studio/logo'));
    logoMsg.textContent = t('studio.logoRemoved');
  }));

  return [h('h2', {}, t('studio.title')),
    h('p', { class: 'hint' }, t('studio.intro')),
    name.parts,
    h('label', { for: 'studio-accent' }, t('studio.accent')), h('div', { class: 'colour' }, picker, accent), result,
    booking.parts, h('p', { class: 'hint' }, t('studio.bookingHint')),
    phone.parts, address.parts, msg, save,
    h('label', { for: 'studio-logo' }, t('studio.logo')), preview, file, logoMsg, remove];
}

async function teamSection() {
  const box = h('div', {});
  const render = async () => {
    const list = await api('GET', '/api/therapists');
    const email = h('input', { id: 'invite-email', type: 'email', placeholder: t('settings.team.emailPlaceholder') });
    const out = h('p', { role: 'status', class: 'secret' });
    const invites = h('div', {});
    const invite = h('button', { type: 'button' }, t('settings.team.invite'));
    invite.addEventListener('click', () => busy(invite, out, async () => {
      const inv = await api('POST', '/api/therapists/invites', { email: email.value.trim() });
      out.replaceChildren(...tn('settings.team.inviteLink', { Link: h('span', { class: 'link', 'data-testid': 'invite-link' }, inv.url) }));
      await pendingInvites(invites);
    }));
    await pendingInvites(invites);
    box.replaceChildren(
      h('ul', {}, list.map((th) => {
        const toggle = !th.owner && h('button', { type: 'button', class: th.disabled ? '' : 'danger' }, t(th.disabled ? 'settings.team.enable' : 'settings.team.disable'));
        if (toggle) toggle.addEventListener('click', () => busy(toggle, out, async () => { await api('PATCH', `/api/therapists/${th.id}`, { disabled: !th.disabled }); await render(); }));
        return h('li', { class: 'row' }, h('span', { class: 'grow' },
          [`${th.name} <${th.email}>`, th.owner && t('settings.team.owner'), th.disabled && t('settings.team.disabled')].filter(Boolean).join(' · ')), toggle);
      })),
      invites, h('label', { for: 'invite-email' }, t('settings.team.inviteLabel')), email, invite, out);
  };
  await render();
  return [h('h2', {}, t('settings.team.title')), box];
}

/**
 * hookEvent says what a webhook event is, in the owner's words (an event the catalog does not
 * know yet: its name).
 * @param {string} e
 */
function hookEvent(e) {
  const text = t(`settings.hook.event.${e}`);
  return text === `settings.hook.event.${e}` ? e : text;
}

/**
 * hookStatus says in one line whether events go out and how delivery went lately.
 * @param {any} v the webhook settings
 */
function hookStatus(v) {
  if (!v.url) return t('settings.hook.none');
  if (!v.enabled) return t('settings.hook.off', { Reason: v.disabledReason });
  const parts = [t('settings.hook.on')];
  if (v.status.lastDeliveredAt) parts.push(t('settings.hook.lastDelivered', { When: when(v.status.lastDeliveredAt) }));
  if (v.status.lastFailedAt) parts.push(t('settings.hook.lastFailure', { When: when(v.status.lastFailedAt), Reason: v.status.lastFailure }));
  if (v.pending) parts.push(t('settings.hook.pending', { Count: v.pending }));
  if (v.status.dropped) parts.push(t('settings.hook.dropped', { Count: v.status.dropped }));
  return parts.join(' ');
}

async function webhookSection() {
  const box = h('div', {});
  /** @param {any} v @param {string} [note] */
  const render = (v, note) => {
    const url = h('input', { id: 'hook-url', type: 'url', inputmode: 'url', autocomplete: 'off', placeholder: 'https://example.org/hook', value: v.url });
    const chosen = new Set(v.url ? v.events : v.availableEvents);
    const boxes = v.availableEvents.map((/** @type {string} */ e) => {
      const cb = h('input', { type: 'checkbox', value: e, id: `hook-${e}` });
      cb.checked = chosen.has(e);
      return { e, cb, label: h('label', { class: 'check', for: `hook-${e}` }, cb, h('span', {}, hookEvent(e), ' ', h('code', {}, e))) };
    });
    const notes = h('input', { type: 'checkbox', id: 'hook-notes' });
    notes.checked = v.includeNotes;
    const out = h('p', { role: 'status', 'data-testid': 'hook-status' }, note || hookStatus(v));
    const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'hook-save' }, t(v.url ? 'common.save' : 'settings.hook.saveFirst'));
    /** @param {boolean} rotate */
    const put = (rotate) => api('PUT', '/api/admin/webhook', {
      url: url.value.trim(), events: boxes.filter((b) => b.cb.checked).map((b) => b.e), includeNotes: notes.checked, rotateSecret: rotate,
    });
    const saved = (/** @type {any} */ nv) => {
      render(nv, t(nv.url ? 'settings.hook.saved' : 'settings.hook.removed'));
      if (nv.secret) {
        box.append(h('div', { class: 'card' }, h('p', {}, t('settings.hook.secret')),
          h('p', { class: 'secret link', 'data-testid': 'hook-secret' }, nv.secret)));
      }
    };
    save.addEventListener('click', () => busy(save, out, async () => saved(await put(false))));
    const actions = [save];
    if (v.url) {
      const test = h('button', { type: 'button', 'data-testid': 'hook-test' }, t('settings.hook.test'));
      test.addEventListener('click', () => busy(test, out, async () => {
        const r = await api('POST', '/api/admin/webhook/test');
        out.textContent = [t('settings.hook.tested', { Status: r.status }), r.pending && t('settings.hook.testedPending', { Count: r.pending })].filter(Boolean).join(' ');
      }));
      const rotate = h('button', { type: 'button' }, t('settings.hook.rotate'));
      rotate.addEventListener('click', () => {
        if (!confirm(t('settings.hook.rotateConfirm'))) return;
        busy(rotate, out, async () => saved(await put(true)));
      });
      const remove = h('button', { type: 'button', class: 'danger' }, t('settings.hook.remove'));
      remove.addEventListener('click', () => {
        if (!confirm(t('settings.hook.removeConfirm'))) return;
        url.value = '';
        busy(remove, out, async () => saved(await put(false)));
      });
      actions.push(test, rotate, remove);
    }
    box.replaceChildren(
      h('label', { for: 'hook-url' }, t('settings.hook.url')), url,
      v.url ? h('p', { class: 'hint' }, v.previousSecretUntil
        ? t('settings.hook.secretHintPrevious', { Hint: v.secretHint, Until: when(v.previousSecretUntil) })
        : t('settings.hook.secretHint', { Hint: v.secretHint })) : '',
      h('fieldset', { class: 'checks' }, h('legend', {}, t('settings.hook.send')), ...boxes.map((b) => b.label)),
      h('label', { class: 'check', for: 'hook-notes' }, notes, h('span', {}, t('settings.hook.notes'))),
      out, h('div', { class: 'row' }, ...actions));
  };
  render(await api('GET', '/api/admin/webhook'));
  return [h('h2', {}, t('settings.hook.title')),
    h('p', { class: 'hint' }, t('settings.hook.intro')),
    box];
}

export async function settings() {
  const logout = h('button', { type: 'button', 'data-testid': 'logout' }, t('settings.logout'));
  logout.addEventListener('click', () => busy(logout, null, async () => {
    await api('DELETE', '/api/session');
    state.me = null;
    location.hash = '#/login';
  }));
  /** @type {Child[][]} */
  const sections = [accountSection(), await alertSection(), await templatesSection(), passwordSection(), await tokensSection()];
  if (state.me.owner) sections.push(await studioSection(), await teamSection(), await webhookSection());
  // The sections took several requests: if the therapist went elsewhere meanwhile, that screen stays.
  if (location.hash !== '#/settings') return;
  show(h('h1', {}, t('settings.title')), ...sections.map((sec) => h('section', { class: 'card' }, sec)), h('p', {}, logout));
}
