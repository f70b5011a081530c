// @ts-check
// The therapist's own stretches: a list (own and the studio's shared ones, retired apart),
// and a form with every field a library stretch has, a picture (a library pose or a photo),
// shared or private. The server checks it with the library's validator.
import { h, announce } from '../shared/dom.js';
import { ApiError } from '../shared/api.js';
import { state, api, busy, show, csrfCookie } from './workspace.js';

const TARGETS = ['hamstrings', 'glutes', 'piriformis', 'low back', 'hips', 'sciatic nerve'];
const LANGUAGES = [['en', 'English'], ['de', 'Deutsch'], ['es', 'Español'], ['fr', 'Français'], ['pt-BR', 'Português (Brasil)']];
const MAX_UPLOAD = 8 << 20;
const SENDABLE = ['image/jpeg', 'image/png', 'image/webp'];

const sentence = (/** @type {string} */ s) => (s ? `${s[0].toUpperCase()}${s.slice(1)}.` : '');

/**
 * start is what the safety fields of a new stretch in language tag begin with: the
 * language's own set phrases, which the validator asks for word for word.
 * @param {string} tag
 */
function start(tag) {
  const p = (state.safety || {})[tag] || {};
  return { feel: sentence(p.neverSharpPain), stopIf: p.stopCore || '', breathing: sentence(p.neverHoldBreath) };
}

/** browserLanguage is the supported language the browser prefers, else English. */
function browserLanguage() {
  for (const want of navigator.languages || [navigator.language]) {
    const hit = LANGUAGES.find(([tag]) => tag.toLowerCase() === want.toLowerCase()) || LANGUAGES.find(([tag]) => tag.split('-')[0] === want.split('-')[0].toLowerCase());
    if (hit) return hit[0];
  }
  return 'en';
}

/** library loads the library's stretches once (for poses and variation links). */
async function library() {
  if (!state.stretches) {
    const list = await api('GET', '/api/routines');
    const details = await Promise.all(list.map((r) => api('GET', `/api/routines/${r.id}`)));
    state.routines = list.map((r, i) => ({ ...r, stretches: details[i].stretches }));
    state.stretches = new Map();
    const lib = await api('GET', '/api/stretches/library');
    for (const st of lib.stretches) state.stretches.set(st.id, st);
    state.safety = lib.safety;
  }
  return [...state.stretches.values()].filter((st) => !st.id.startsWith('c-')).sort((a, b) => a.name.localeCompare(b.name));
}

/** mayEdit mirrors the server: the author, or the owner for a shared stretch. */
const mayEdit = (s) => s.therapistId === state.me.id || (state.me.owner && s.shared);

/** The list: #/stretches */
export async function stretchList() {
  show(h('h1', {}, 'Your stretches'), h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const list = await api('GET', '/api/stretches');
  const row = (s) => h('li', { class: 'row own-stretch', 'data-testid': 'own-stretch' },
    s.image && h('img', { class: 'thumb', src: s.image, alt: '', width: '64', height: '40', loading: 'lazy' }),
    h('span', { class: 'grow' }, h('strong', {}, s.name), h('br'),
      h('small', { class: 'hint' }, [s.shared ? 'shared with the studio' : 'private', s.therapistId === state.me.id ? 'yours' : 'a colleague’s'].join(' · '))),
    mayEdit(s) && !s.retiredAt ? h('a', { class: 'btn', href: `#/stretches/${s.id}`, 'aria-label': `Edit ${s.name}` }, 'Edit') : null);
  const inUse = list.filter((s) => !s.retiredAt);
  const retired = list.filter((s) => s.retiredAt);
  show(h('h1', {}, 'Your stretches'),
    h('p', { class: 'hint' }, 'Stretches you write are used in plans and templates like the library’s. Clients see them as you wrote them, in that language.'),
    h('p', {}, h('a', { class: 'btn primary', href: '#/stretches/new', 'data-testid': 'new-stretch' }, '+ New stretch')),
    inUse.length ? h('ul', { class: 'own-stretches' }, inUse.map(row)) : h('p', { class: 'muted' }, 'None yet.'),
    retired.length > 0 && [h('h2', {}, 'Retired'), h('p', { class: 'hint' }, 'No longer offered for new plans; plans that use them still show them.'),
      h('ul', { class: 'own-stretches' }, retired.map(row))]);
}

/**
 * shrink re-encodes a picture in the browser when the server would not take it as it is
 * (over 8 MB, or a type such as HEIC the browser can read): a JPEG at most 2400 px a side.
 * The server re-encodes every upload again, so this is for the size, not for privacy.
 * @param {File} file
 * @returns {Promise<Blob>}
 */
async function sendable(file) {
  if (file.size <= MAX_UPLOAD && SENDABLE.includes(file.type)) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2400 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot prepare the photo.');
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  if (!blob) throw new Error('This browser cannot prepare the photo.');
  return blob;
}

/**
 * upload sends a photo as the request body; the server sniffs and re-encodes it.
 * @param {Blob} blob
 */
async function upload(blob) {
  let res;
  try {
    res = await fetch('/api/stretches/photos', {
      method: 'POST', credentials: 'same-origin', body: blob,
      headers: { 'Content-Type': blob.type || 'application/octet-stream', 'X-CSRF-Token': state.csrf || csrfCookie() },
    });
  } catch {
    throw new ApiError(0, 'No connection. Check the Wi-Fi and try again.');
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `Upload failed (${res.status})`);
  return data;
}

/**
 * The form: #/stretches/new, #/stretches/{id}
 * @param {string} [id]
 */
export async function stretchForm(id) {
  show(h('h1', {}, id ? 'Edit stretch' : 'New stretch'), h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const [lib, own] = await Promise.all([library(), api('GET', '/api/stretches')]);
  const lang = browserLanguage();
  const s = id ? await api('GET', `/api/stretches/${id}`) : {
    name: '', targets: [], summary: '', steps: [], holdSeconds: 30, reps: 2, perSide: false, ...start(lang), easier: '',
    easierId: '', harderId: '', pose: '', photo: '', shared: true, language: lang,
  };
  let photo = s.photo || '';

  const field = (key, label, input, hint) => [h('label', { for: `st-${key}` }, label), hint && h('p', { class: 'hint', id: `st-${key}-hint` }, hint), input];
  const text = (key, max, props = {}) => h('input', { id: `st-${key}`, value: s[key] || '', maxlength: String(max), 'data-testid': `st-${key}`, ...props });
  const area = (key, max, value = s[key] || '') => {
    const el = h('textarea', { id: `st-${key}`, maxlength: String(max), 'data-testid': `st-${key}` });
    el.value = value;
    return el;
  };
  const name = text('name', 60, { required: true, autocapitalize: 'sentences' });
  const language = h('select', { id: 'st-language', 'data-testid': 'st-language' },
    LANGUAGES.map(([tag, label]) => h('option', { value: tag, selected: (s.language || 'en') === tag }, label)));
  const summary = area('summary', 200);
  const targets = h('fieldset', { class: 'checks', 'data-testid': 'st-targets' }, h('legend', {}, 'Body areas'),
    TARGETS.map((t) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: t, checked: (s.targets || []).includes(t) }), ` ${t}`)));
  const steps = area('steps', 2400, (s.steps || []).join('\n'));
  const hold = h('input', { id: 'st-hold', type: 'number', inputmode: 'numeric', min: '5', max: '120', value: String(s.holdSeconds), 'data-testid': 'st-hold' });
  const reps = h('input', { id: 'st-reps', type: 'number', inputmode: 'numeric', min: '1', max: '10', value: String(s.reps), 'data-testid': 'st-reps' });
  const perSide = h('input', { id: 'st-perside', type: 'checkbox', checked: !!s.perSide });
  const feel = area('feel', 300);
  const stopIf = area('stopIf', 400);
  const breathing = area('breathing', 300);
  const easier = area('easier', 300);
  // Switching the language swaps the set phrases in, where the text is still the last language's.
  let started = start(language.value);
  const phrases = h('p', { class: 'hint', 'data-testid': 'st-phrases' });
  const showPhrases = () => {
    const p = (state.safety || {})[language.value] || {};
    phrases.textContent = `Required, word for word: “${p.neverSharpPain}” in How it should feel; Stop if begins “${p.stopCore}”; “${p.neverHoldBreath}” in Breathing.`;
  };
  language.addEventListener('change', () => {
    const next = start(language.value);
    for (const [key, el] of /** @type {[keyof typeof next, HTMLTextAreaElement][]} */ ([['feel', feel], ['stopIf', stopIf], ['breathing', breathing]])) {
      if (!el.value.trim() || el.value === started[key]) el.value = next[key];
    }
    started = next;
    showPhrases();
  });
  showPhrases();
  const others = [...lib, ...own.filter((o) => !o.retiredAt && o.id !== id)];
  const link = (key, label) => h('select', { id: `st-${key}`, 'data-testid': `st-${key}` },
    h('option', { value: '' }, label), others.map((o) => h('option', { value: o.id, selected: s[key] === o.id }, o.name)));
  const easierId = link('easierId', 'None');
  const harderId = link('harderId', 'None');

  // The picture: a library pose, or a photo.
  const usePhoto = h('input', { type: 'radio', name: 'picture', value: 'photo', checked: !!s.photo, 'data-testid': 'st-use-photo' });
  const usePose = h('input', { type: 'radio', name: 'picture', value: 'pose', checked: !s.photo, 'data-testid': 'st-use-pose' });
  const pose = h('select', { id: 'st-pose', 'aria-label': 'Library picture', 'data-testid': 'st-pose' },
    h('option', { value: '' }, 'Pick a picture…'), lib.map((o) => h('option', { value: o.id, selected: s.pose === o.id }, o.name)));
  const file = h('input', { id: 'st-file', type: 'file', accept: 'image/jpeg,image/png,image/webp,image/*', 'data-testid': 'st-file' });
  const preview = h('img', { class: 'preview', alt: 'The stretch’s picture', 'data-testid': 'st-preview', hidden: true });
  const photoStatus = h('p', { class: 'hint', role: 'status' });
  const showPreview = () => {
    const src = usePhoto.checked ? (photo ? `/img/custom/${photo}` : '') : pose.value ? (state.stretches?.get(pose.value)?.image || '') : '';
    preview.hidden = !src;
    if (src) preview.src = src;
  };
  for (const el of [usePhoto, usePose, pose]) el.addEventListener('change', showPreview);
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    usePhoto.checked = true;
    photoStatus.textContent = 'Uploading…';
    try {
      const up = await upload(await sendable(f));
      photo = up.photo;
      photoStatus.textContent = `Photo ready (${up.width} × ${up.height}). Its location and camera details were removed.`;
      announce('Photo uploaded');
    } catch (e) {
      photoStatus.textContent = e instanceof Error ? e.message : String(e);
    }
    showPreview();
  });
  showPreview();
  const shared = h('input', { id: 'st-shared', type: 'checkbox', checked: !!s.shared, disabled: !!id && s.therapistId !== state.me.id });

  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'st-error' });
  const save = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'st-save' }, id ? 'Save changes' : 'Save stretch');
  const body = () => ({
    name: name.value.trim(), language: language.value, summary: summary.value.trim(),
    targets: [...targets.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value),
    steps: steps.value.split('\n').map((x) => x.trim()).filter(Boolean),
    holdSeconds: Number(hold.value), reps: Number(reps.value), perSide: perSide.checked,
    feel: feel.value.trim(), stopIf: stopIf.value.trim(), breathing: breathing.value.trim(), easier: easier.value.trim(),
    easierId: easierId.value, harderId: harderId.value,
    pose: usePhoto.checked ? '' : pose.value, photo: usePhoto.checked ? photo : '', shared: shared.checked,
  });
  const form = h('form', { class: 'stretch-form', novalidate: true },
    field('name', 'Name', name),
    field('language', 'Written in', language, 'Clients see the stretch in this language, whatever language their app is in.'),
    field('summary', 'Summary (one sentence)', summary),
    targets,
    field('steps', 'Steps, one per line', steps),
    h('div', { class: 'row nums' },
      h('span', {}, field('hold', 'Hold (5–120 s)', hold)), h('span', {}, field('reps', 'Repeats (1–10)', reps))),
    h('label', { class: 'check' }, perSide, ' Done on the left and on the right'),
    h('h2', {}, 'Safety'),
    phrases,
    field('feel', 'How it should feel', feel),
    field('stopIf', 'Stop if', stopIf),
    field('breathing', 'Breathing', breathing),
    field('easier', 'How to make it easier', easier),
    h('h2', {}, 'Variations'),
    field('easierId', 'Easier variation (“Make it easier” in the player)', easierId, 'Must work the same body areas.'),
    field('harderId', 'Harder variation', harderId),
    h('h2', {}, 'Picture'),
    h('fieldset', { class: 'checks' }, h('legend', { class: 'vh' }, 'Picture'),
      h('label', { class: 'check' }, usePose, ' A library picture'), pose,
      h('label', { class: 'check' }, usePhoto, ' A photo (JPEG, PNG or WebP)'), file, photoStatus),
    preview,
    h('label', { class: 'check' }, shared, ' Share with the studio (every therapist may use it)'),
    err, save);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, err, async () => {
      await (id ? api('PUT', `/api/stretches/${id}`, body()) : api('POST', '/api/stretches', body()));
      announce('Stretch saved');
      location.hash = '#/stretches';
    });
  });
  let retire = null;
  if (id) {
    retire = h('button', { type: 'button', class: 'danger', 'data-testid': 'st-retire' }, 'Retire this stretch');
    retire.addEventListener('click', () => {
      if (!confirm(`Retire “${s.name}”? It is no longer offered for new plans; plans that use it keep it.`)) return;
      busy(/** @type {HTMLButtonElement} */ (retire), err, async () => {
        await api('POST', `/api/stretches/${id}/retire`);
        announce('Stretch retired');
        location.hash = '#/stretches';
      });
    });
  }
  show(h('h1', {}, id ? 'Edit stretch' : 'New stretch'), form, retire && h('p', {}, retire));
  name.focus();
}
