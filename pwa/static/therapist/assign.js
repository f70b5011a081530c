// @ts-check
// A new plan: pick a template (the library's or the therapist's own), type the client's first
// name, adjust the stretches if needed, then "Create plan & show QR".
import { h, announce } from '../shared/dom.js';
import { localInput, toRFC3339 } from '../shared/dates.js';
import { state, api, busy, show } from './workspace.js';

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

export async function assign() {
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
