// @ts-check
// A new plan: pick a template (the library's or the therapist's own), type the client's first
// name, adjust the stretches if needed, then "Create plan & show QR".
import { h, announce } from '../shared/dom.js';
import { localInput, toRFC3339 } from '../shared/dates.js';
import { t, tn, language, nativeName } from '../shared/i18n.js';
import { state, api, busy, show, cadenceOptions, minutes, languages, library } from './workspace.js';

async function loadLibrary() {
  await library();
  state.templates = await api('GET', '/api/templates');
  // The therapist's own stretches (and the studio's shared ones) are picked like the library's.
  state.own = (await api('GET', '/api/stretches')).filter((st) => !st.retiredAt);
  for (const st of state.own) state.stretches.set(st.id, st);
}

function pickTemplate(t) {
  // A library routine carries stretches with holds; an own template carries stretchId/hold/reps.
  const list = t.stretches.map((st) => ({ stretchId: st.id || st.stretchId, holdSeconds: st.holdSeconds, reps: st.reps }));
  state.draft = { ...state.draft, routineId: t.routineId || t.id, templateKey: t.key, stretches: list, base: JSON.stringify(list) };
  if (t.days) state.draft.days = t.days;
  if (t.cadenceDays) state.draft.cadenceDays = t.cadenceDays;
  if (t.notes) state.draft.notes = t.notes;
}

export async function assign() {
  show(h('h1', {}, t('assign.title')), h('p', { class: 'muted', role: 'status' }, t('assign.loading')));
  await loadLibrary();
  state.draft = { clientName: '', days: 14, cadenceDays: 7, notes: '', stretchTime: '19:00', timeZone: state.me.timeZone, templateKey: '' };

  const choices = [
    ...state.templates.map((tpl) => ({ ...tpl, key: `own-${tpl.id}`, label: tpl.name, sub: t('assign.ownTemplate') })),
    ...state.routines.map((r) => ({ ...r, key: `lib-${r.id}`, label: r.name, sub: `${minutes(r.estimatedMinutes)} · ${r.forWhom}` })),
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

  const name = h('input', { id: 'client-name', autocomplete: 'off', autocapitalize: 'words', maxlength: '40', required: true, 'data-testid': 'client-name', placeholder: t('assign.firstNamePlaceholder') });
  const sessionAt = h('input', { id: 'session-at', type: 'datetime-local', value: localInput(new Date()) });
  const nextAt = h('input', { id: 'next-at', type: 'datetime-local' });
  // The client's app, reminders and printout speak the plan's language: the therapist's unless changed.
  const planLanguage = h('select', { id: 'plan-language', 'data-testid': 'plan-language' },
    languages.map((tag) => h('option', { value: tag, lang: tag, selected: tag === state.me.language }, nativeName(tag))));
  const cadence = h('select', { id: 'cadence' }, cadenceOptions(7));
  const days = h('select', { id: 'days' }, [7, 14, 21, 28].map((d) => h('option', { value: String(d), selected: d === 14 }, t('assign.days', { Count: d }))));
  const stretchTime = h('input', { id: 'stretch-time', type: 'time', value: '19:00' });
  const zone = h('input', { id: 'tz', value: state.me.timeZone });
  const notes = h('textarea', { id: 'notes', maxlength: '1000', placeholder: t('assign.notesPlaceholder') });
  const err = h('p', { class: 'error', role: 'alert' });
  const create = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'create-plan' }, t('assign.create'));
  const saveTpl = h('button', { type: 'button' }, t('assign.saveTemplate'));
  const add = h('select', { 'aria-label': t('assign.addStretchLabel'), 'data-testid': 'add-stretch' },
    h('option', { value: '' }, t('assign.addStretch')),
    state.own.length > 0 && h('optgroup', { label: t('assign.ownStretches') }, state.own.map((st) => h('option', { value: st.id }, st.name))),
    h('optgroup', { label: t('assign.library') }, [...state.stretches.values()].filter((st) => !st.id.startsWith('c-'))
      .sort((a, b) => a.name.localeCompare(b.name, language())).map((st) => h('option', { value: st.id }, st.name))));
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
      days: Number(days.value), notes: notes.value.trim(), cadenceDays: Number(cadence.value), language: planLanguage.value,
    };
    const list = state.draft.stretches.map(({ stretchId, holdSeconds, reps }) => ({ stretchId, holdSeconds, reps }));
    if (JSON.stringify(list) !== state.draft.base) b.stretches = list;
    return b;
  };
  const form = h('form', {},
    h('h2', {}, `1. ${t('assign.step.routine')}`), h('div', { class: 'templates', role: 'group', 'aria-label': t('assign.templatesLabel') }, buttons),
    editor);
  editor.append(
    h('h2', {}, `2. ${t('assign.step.client')}`),
    h('label', { for: 'client-name' }, t('assign.firstName')), name,
    h('label', { for: 'plan-language' }, t('assign.language')), planLanguage,
    h('label', { for: 'next-at' }, t('assign.nextSession')), nextAt,
    h('label', { for: 'cadence' }, t('common.cadenceLabel')), cadence,
    h('h2', {}, `3. ${t('assign.step.stretches')}`), h('p', { class: 'hint' }, t('assign.stretchesHint')), stretchList, add,
    h('p', {}, h('a', { href: '#/stretches/new', class: 'hint' }, t('assign.writeOwn'))),
    h('details', {}, h('summary', {}, t('assign.more')),
      h('label', { for: 'session-at' }, t('assign.sessionTime')), sessionAt,
      h('label', { for: 'days' }, t('assign.length')), days,
      h('label', { for: 'stretch-time' }, t('assign.stretchTime')), stretchTime,
      h('label', { for: 'tz' }, t('assign.timeZone')), zone,
      h('label', { for: 'notes' }, t('assign.notes')), notes),
    err, create, h('p', {}, saveTpl));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      err.textContent = t('assign.nameMissing');
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
    const label = prompt(t('assign.templateName'), t('assign.templateNameDefault'));
    if (!label) return;
    busy(saveTpl, err, async () => {
      const stretches = state.draft.stretches.map(({ stretchId, holdSeconds, reps }) => ({ stretchId, holdSeconds, reps }));
      await api('POST', '/api/templates', { name: label, routineId: state.draft.routineId, stretches, days: Number(days.value), cadenceDays: Number(cadence.value), notes: notes.value.trim() });
      announce(t('assign.templateSaved'));
      saveTpl.textContent = t('common.savedMark');
    });
  });
  show(h('h1', {}, t('assign.title')), form);
}

function renderStretches(ol) {
  const list = state.draft.stretches;
  ol.replaceChildren(...list.map((item, i) => {
    const st = state.stretches.get(item.stretchId) || { name: item.stretchId };
    const num = (field, label, min, max) => {
      const input = h('input', { type: 'number', inputmode: 'numeric', min: String(min), max: String(max), value: String(item[field]), 'aria-label': t(label, { Stretch: st.name }) });
      input.addEventListener('change', () => { item[field] = Math.min(max, Math.max(min, Number(input.value) || min)); input.value = String(item[field]); });
      return input;
    };
    const move = (d) => () => {
      const j = i + d;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j], list[i]];
      renderStretches(ol);
    };
    // The variation for this client: the stretch, its easier or its harder one.
    const base = state.stretches.get(item.baseId || item.stretchId) || st;
    // The chosen one says only how it differs (the row above names it), so it fits a phone;
    // the others name their stretch.
    const options = [[base, 'asWritten'], [state.stretches.get(base.easierId), 'easier'], [state.stretches.get(base.harderId), 'harder']].filter(([v]) => v);
    let variant = null;
    if (options.length > 1) {
      variant = h('select', { class: 'variant', 'aria-label': t('assign.variant.label', { Stretch: base.name }), 'data-testid': `variant-${i}` },
        options.map(([v, how]) => h('option', { value: v.id, selected: v.id === item.stretchId, 'data-how': how },
          t(v.id === item.stretchId ? `assign.variant.${how}` : `assign.variant.${how}Named`, { Stretch: v.name }))));
      variant.addEventListener('change', () => {
        const v = state.stretches.get(variant.value);
        if (!v) return;
        Object.assign(item, { baseId: base.id, stretchId: v.id, holdSeconds: v.holdSeconds, reps: v.reps });
        renderStretches(ol);
      });
    }
    return h('li', { class: 'stretch' },
      h('span', { class: 'name' }, `${i + 1}. ${st.name}`),
      h('span', { class: 'moves' },
        h('button', { type: 'button', class: 'icon', 'aria-label': t('assign.moveUp', { Stretch: st.name }), disabled: i === 0, onclick: move(-1) }, '↑'),
        h('button', { type: 'button', class: 'icon', 'aria-label': t('assign.moveDown', { Stretch: st.name }), disabled: i === list.length - 1, onclick: move(1) }, '↓'),
        h('button', { type: 'button', class: 'icon', 'aria-label': t('assign.remove', { Stretch: st.name }), disabled: list.length === 1, onclick: () => { list.splice(i, 1); renderStretches(ol); } }, '✕')),
      h('span', { class: 'nums' }, tn(st.perSide ? 'assign.holdRepsPerSide' : 'assign.holdReps',
        { Hold: num('holdSeconds', 'assign.holdLabel', 5, 120), Reps: num('reps', 'assign.repsLabel', 1, 10) })),
      variant);
  }));
}
