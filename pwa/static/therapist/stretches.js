// @ts-check
// The therapist's own stretches: a list (own and the studio's shared ones, retired apart),
// and a form with every field a library stretch has, a picture (a library pose or a photo),
// shared or private. The server checks it with the library's validator.
import { h, announce } from '../shared/dom.js';
import { ApiError } from '../shared/api.js';
import { t, language, nativeName } from '../shared/i18n.js';
import { state, api, busy, show, csrfCookie, languages, library } from './workspace.js';

/** The body areas a stretch may work (routines.KnownTargets), by their English key. */
const TARGETS = ['hamstrings', 'glutes', 'piriformis', 'low back', 'hips', 'sciatic nerve'];
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

/** libraryStretches are the library's stretches (for poses and variation links), by name. */
async function libraryStretches() {
  await library();
  return [...state.stretches.values()].filter((st) => !st.id.startsWith('c-')).sort((a, b) => a.name.localeCompare(b.name, language()));
}

/** mayEdit mirrors the server: the author, or the owner for a shared stretch. */
const mayEdit = (s) => s.therapistId === state.me.id || (state.me.owner && s.shared);

/** The list: #/stretches */
export async function stretchList() {
  show(h('h1', {}, t('stretches.title')), h('p', { class: 'muted', role: 'status' }, t('common.loading')));
  const list = await api('GET', '/api/stretches');
  const row = (s) => h('li', { class: 'row own-stretch', 'data-testid': 'own-stretch' },
    s.image && h('img', { class: 'thumb', src: s.image, alt: '', width: '64', height: '40', loading: 'lazy' }),
    h('span', { class: 'grow' }, h('strong', {}, s.name), h('br'),
      h('small', { class: 'hint' }, [t(s.shared ? 'stretches.shared' : 'stretches.private'), t(s.therapistId === state.me.id ? 'stretches.yours' : 'stretches.colleagues')].join(' · '))),
    mayEdit(s) && !s.retiredAt ? h('a', { class: 'btn', href: `#/stretches/${s.id}`, 'aria-label': t('stretches.editLabel', { Name: s.name }) }, t('stretches.edit')) : null);
  const inUse = list.filter((s) => !s.retiredAt);
  const retired = list.filter((s) => s.retiredAt);
  show(h('h1', {}, t('stretches.title')),
    h('p', { class: 'hint' }, t('stretches.intro')),
    h('p', {}, h('a', { class: 'btn primary', href: '#/stretches/new', 'data-testid': 'new-stretch' }, t('stretches.new'))),
    inUse.length ? h('ul', { class: 'own-stretches' }, inUse.map(row)) : h('p', { class: 'muted' }, t('stretches.none')),
    retired.length > 0 && [h('h2', {}, t('stretches.retiredTitle')), h('p', { class: 'hint' }, t('stretches.retiredHint')),
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
  if (!ctx) throw new Error(t('stretches.cannotPrepare'));
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  if (!blob) throw new Error(t('stretches.cannotPrepare'));
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
    throw new ApiError(0, t('error.offline'));
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || t('stretches.uploadFailed', { Status: res.status }));
  return data;
}

/**
 * The form: #/stretches/new, #/stretches/{id}
 * @param {string} [id]
 */
export async function stretchForm(id) {
  show(h('h1', {}, t(id ? 'stretches.editTitle' : 'stretches.newTitle')), h('p', { class: 'muted', role: 'status' }, t('common.loading')));
  const [lib, own] = await Promise.all([libraryStretches(), api('GET', '/api/stretches')]);
  // A new stretch is written in the workspace's language unless the therapist picks another.
  const lang = language();
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
  const written = h('select', { id: 'st-language', 'data-testid': 'st-language' },
    languages.map((tag) => h('option', { value: tag, lang: tag, selected: (s.language || 'en') === tag }, nativeName(tag))));
  const summary = area('summary', 200);
  const targets = h('fieldset', { class: 'checks', 'data-testid': 'st-targets' }, h('legend', {}, t('stretches.bodyAreas')),
    TARGETS.map((k) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: k, checked: (s.targets || []).includes(k) }), ` ${t(`target.${k}`)}`)));
  const steps = area('steps', 2400, (s.steps || []).join('\n'));
  const hold = h('input', { id: 'st-hold', type: 'number', inputmode: 'numeric', min: '5', max: '120', value: String(s.holdSeconds), 'data-testid': 'st-hold' });
  const reps = h('input', { id: 'st-reps', type: 'number', inputmode: 'numeric', min: '1', max: '10', value: String(s.reps), 'data-testid': 'st-reps' });
  const perSide = h('input', { id: 'st-perside', type: 'checkbox', checked: !!s.perSide });
  const feel = area('feel', 300);
  const stopIf = area('stopIf', 400);
  const breathing = area('breathing', 300);
  const easier = area('easier', 300);
  // Switching the language swaps the set phrases in, where the text is still the last language's.
  let started = start(written.value);
  const phrases = h('p', { class: 'hint', 'data-testid': 'st-phrases' });
  const showPhrases = () => {
    const p = (state.safety || {})[written.value] || {};
    phrases.textContent = t('stretches.phrases', { Feel: p.neverSharpPain, Stop: p.stopCore, Breath: p.neverHoldBreath });
  };
  written.addEventListener('change', () => {
    const next = start(written.value);
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
  const easierId = link('easierId', t('stretches.noVariation'));
  const harderId = link('harderId', t('stretches.noVariation'));

  // The picture: a library pose, or a photo.
  const usePhoto = h('input', { type: 'radio', name: 'picture', value: 'photo', checked: !!s.photo, 'data-testid': 'st-use-photo' });
  const usePose = h('input', { type: 'radio', name: 'picture', value: 'pose', checked: !s.photo, 'data-testid': 'st-use-pose' });
  const pose = h('select', { id: 'st-pose', 'aria-label': t('stretches.poseLabel'), 'data-testid': 'st-pose' },
    h('option', { value: '' }, t('stretches.pickPose')), lib.map((o) => h('option', { value: o.id, selected: s.pose === o.id }, o.name)));
  const file = h('input', { id: 'st-file', type: 'file', accept: 'image/jpeg,image/png,image/webp,image/*', 'data-testid': 'st-file' });
  const preview = h('img', { class: 'preview', alt: t('stretches.previewAlt'), 'data-testid': 'st-preview', hidden: true });
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
    photoStatus.textContent = t('stretches.uploading');
    try {
      const up = await upload(await sendable(f));
      photo = up.photo;
      photoStatus.textContent = t('stretches.photoReady', { Width: up.width, Height: up.height });
      announce(t('stretches.photoUploaded'));
    } catch (e) {
      photoStatus.textContent = e instanceof Error ? e.message : String(e);
    }
    showPreview();
  });
  showPreview();
  const shared = h('input', { id: 'st-shared', type: 'checkbox', checked: !!s.shared, disabled: !!id && s.therapistId !== state.me.id });

  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'st-error' });
  const save = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'st-save' }, t(id ? 'stretches.saveChanges' : 'stretches.save'));
  const body = () => ({
    name: name.value.trim(), language: written.value, summary: summary.value.trim(),
    targets: [...targets.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value),
    steps: steps.value.split('\n').map((x) => x.trim()).filter(Boolean),
    holdSeconds: Number(hold.value), reps: Number(reps.value), perSide: perSide.checked,
    feel: feel.value.trim(), stopIf: stopIf.value.trim(), breathing: breathing.value.trim(), easier: easier.value.trim(),
    easierId: easierId.value, harderId: harderId.value,
    pose: usePhoto.checked ? '' : pose.value, photo: usePhoto.checked ? photo : '', shared: shared.checked,
  });
  const form = h('form', { class: 'stretch-form', novalidate: true },
    field('name', t('stretches.name'), name),
    field('language', t('stretches.language'), written, t('stretches.languageHint')),
    field('summary', t('stretches.summary'), summary),
    targets,
    field('steps', t('stretches.steps'), steps),
    h('div', { class: 'row nums' },
      h('span', {}, field('hold', t('stretches.hold'), hold)), h('span', {}, field('reps', t('stretches.reps'), reps))),
    h('label', { class: 'check' }, perSide, ` ${t('stretches.perSide')}`),
    h('h2', {}, t('stretches.safety')),
    phrases,
    field('feel', t('stretches.feel'), feel),
    field('stopIf', t('stretches.stopIf'), stopIf),
    field('breathing', t('stretches.breathing'), breathing),
    field('easier', t('stretches.easier'), easier),
    h('h2', {}, t('stretches.variations')),
    field('easierId', t('stretches.easierId'), easierId, t('stretches.easierIdHint')),
    field('harderId', t('stretches.harderId'), harderId),
    h('h2', {}, t('stretches.picture')),
    h('fieldset', { class: 'checks' }, h('legend', { class: 'vh' }, t('stretches.picture')),
      h('label', { class: 'check' }, usePose, ` ${t('stretches.usePose')}`), pose,
      h('label', { class: 'check' }, usePhoto, ` ${t('stretches.usePhoto')}`), file, photoStatus),
    preview,
    h('label', { class: 'check' }, shared, ` ${t('stretches.sharedLabel')}`),
    err, save);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, err, async () => {
      await (id ? api('PUT', `/api/stretches/${id}`, body()) : api('POST', '/api/stretches', body()));
      announce(t('stretches.saved'));
      location.hash = '#/stretches';
    });
  });
  let retire = null;
  if (id) {
    retire = h('button', { type: 'button', class: 'danger', 'data-testid': 'st-retire' }, t('stretches.retire'));
    retire.addEventListener('click', () => {
      if (!confirm(t('stretches.retireConfirm', { Name: s.name }))) return;
      busy(/** @type {HTMLButtonElement} */ (retire), err, async () => {
        await api('POST', `/api/stretches/${id}/retire`);
        announce(t('stretches.retiredAnnounce'));
        location.hash = '#/stretches';
      });
    });
  }
  show(h('h1', {}, t(id ? 'stretches.editTitle' : 'stretches.newTitle')), form, retire && h('p', {}, retire));
  name.focus();
}
