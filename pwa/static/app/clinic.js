// @ts-check
// The clinic's words and its one rule the phone needs (server/clinic): every text of the
// check-in, the two tier screens, the advice, the Patient-Specific Functional Scale and
// "Prepare for your session", in the plan's language, from GET /api/clinic/{lang}. It loads
// on demand, never with the first page; the service worker keeps it for offline use. The
// warning-sign questions carry their tier, so the phone decides a check-in's tier itself
// and the emergency screen never waits for the network. Also the form parts the check-in
// and the preparation form share (rating slider, yes/no, chips, where it hurts).
import { h } from '../shared/dom.js';
import { call } from '../shared/api.js';
import { t, language } from '../shared/i18n.js';

// The screens' own styles, loaded with them (the service worker keeps them offline).
if (!document.querySelector('link[data-clinic-css]')) {
  document.head.append(h('link', { rel: 'stylesheet', href: '/app/clinic.css', 'data-clinic-css': '' }));
}

/** clinicURL is where the server serves a language's clinic content. */
export const clinicURL = (/** @type {string} */ tag) => `/api/clinic/${encodeURIComponent(tag)}`;

/** @type {Map<string, Promise<any>>} */
const loaded = new Map();

/**
 * content is the clinic content in the app's language, loaded once: from the versioned
 * address the plan names (plan.clinic.content, cached for good) when it is in that language.
 * @param {any} [plan]
 * @returns {Promise<any>}
 */
export function content(plan) {
  const named = plan?.clinic?.content;
  const url = typeof named === 'string' && named.startsWith(`${clinicURL(language())}?`) ? named : clinicURL(language());
  let p = loaded.get(url);
  if (!p) {
    p = call('GET', url).then((c) => {
      if (!c || !Array.isArray(c.questions) || !Array.isArray(c.screens) || !c.checkIn) throw new Error('clinic content unreadable');
      return c;
    });
    p.catch(() => loaded.delete(url)); // try again next time
    loaded.set(url, p);
  }
  return p;
}

/**
 * soon is content, or null when it is not here within ms (a hanging server must not hold
 * up a safety screen; the service worker answers from its copy at once).
 * @param {any} plan
 * @param {number} ms
 */
export function soon(plan, ms) {
  return Promise.race([content(plan).catch(() => null), new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

// ---- Tiers ------------------------------------------------------------------------

export const EMERGENCY = 'emergency-now';
export const SEE_DOCTOR = 'see-doctor-soon';
const TIERS = ['none', SEE_DOCTOR, EMERGENCY];
/** rank orders tiers: none 0, see-doctor-soon 1, emergency-now 2. */
export const rank = (/** @type {string} */ tier) => Math.max(0, TIERS.indexOf(tier));

/** group is where a question's answer goes in the check-in body: "emergency" or "seeDoctor". */
export const group = (q) => (q.tier === EMERGENCY ? 'emergency' : 'seeDoctor');

/**
 * yesTo lists the questions a version-2 check-in body answered yes, in the content's order.
 * @param {any} c content
 * @param {any} body
 */
export function yesTo(c, body) {
  return c.questions.filter((q) => body && body[group(q)] && body[group(q)][q.id] === true);
}

/**
 * tierOf is the check-in's tier as the server decides it: the highest tier of a question
 * answered yes (any one is enough), else "none".
 * @param {any} c content
 * @param {any} body
 */
export function tierOf(c, body) {
  return yesTo(c, body).reduce((tier, q) => (rank(q.tier) > rank(tier) ? q.tier : tier), 'none');
}

/** screenFor is the content's screen for a tier (none has none). */
export const screenFor = (c, tier) => c.screens.find((s) => s.tier === tier) || null;

// ---- Form parts --------------------------------------------------------------------

/** word names a 0–10 rating ("mild", "leve", "leicht"). */
const word = (n) => t(n === 0 ? 'checkin.scale.none' : n <= 3 ? 'checkin.scale.mild' : n <= 6 ? 'checkin.scale.moderate'
  : n <= 8 ? 'checkin.scale.strong' : 'checkin.scale.veryStrong');

/**
 * slider is one large 0–10 rating with its two end labels. It starts unset (no value is
 * taken for granted); the first touch sets it. value() is the number, or null while unset.
 * @param {string} name
 * @param {{question: string, hint?: string, low: string, high: string}} rating
 * @param {{legend?: Node | string, words?: boolean, initial?: number | null}} [options]
 */
export function slider(name, rating, { legend, words = true, initial = null } = {}) {
  const shown = h('p', { class: 'scale-value', 'aria-hidden': 'true' }, t('checkin.scale.unset'));
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'range', name, id: `r-${name}`, min: 0, max: 10, step: 1, value: 5, class: 'range unset',
    'aria-valuetext': t('checkin.scale.unset'), 'aria-describedby': `e-${name}`, 'data-testid': name,
  }));
  let set = false;
  const say = () => {
    const n = Number(input.value);
    const text = words ? t('checkin.scale.value', { Value: n, Word: word(n) }) : t('psfs.scale.value', { Value: n });
    shown.textContent = text;
    input.setAttribute('aria-valuetext', text);
  };
  const touch = () => {
    set = true;
    input.classList.remove('unset');
    say();
  };
  input.addEventListener('input', touch);
  input.addEventListener('change', touch);
  input.addEventListener('pointerup', touch); // a tap where the thumb already is changes nothing
  if (initial != null) {
    input.value = String(initial);
    touch();
  }
  const node = h('fieldset', { class: 'rating', id: `f-${name}`, tabindex: '-1' },
    h('legend', {}, legend ?? h('label', { for: `r-${name}` }, rating.question)),
    rating.hint && h('p', { class: 'hint' }, rating.hint),
    input,
    h('p', { class: 'range-ends', id: `e-${name}` },
      h('span', {}, `0 = ${rating.low}`), h('span', {}, `10 = ${rating.high}`)),
    shown);
  return { node, input, value: () => (set ? Number(input.value) : null) };
}

/**
 * radios is one question with large choices, one a line; value() is the chosen id or "".
 * @param {string} name
 * @param {string} question
 * @param {{id: string, label: string, hint?: string}[]} choices
 * @param {{hint?: string, initial?: string, className?: string}} [options]
 */
export function radios(name, question, choices, { hint, initial = '', className = 'choices' } = {}) {
  const node = h('fieldset', { class: className, id: `f-${name}`, tabindex: '-1' },
    h('legend', {}, question),
    hint && h('p', { class: 'hint' }, hint),
    h('div', { class: 'choice-list' }, choices.map((c) => h('label', { class: 'seg seg-wide' },
      h('input', { type: 'radio', name, value: c.id, checked: c.id === initial }),
      h('span', {}, c.label, c.hint && h('span', { class: 'choice-hint' }, ` (${c.hint})`))))));
  const value = () => /** @type {HTMLInputElement | null} */ (node.querySelector('input:checked'))?.value || '';
  return { node, value };
}

/**
 * yesNo is one yes/no question; value() is true, false or null (not answered).
 * @param {string} name
 * @param {string} question
 * @param {{hint?: string, initial?: boolean | null, skip?: string}} [options] skip: the label of a
 *   button that clears the answer (an optional question, plainly skippable)
 */
export function yesNo(name, question, { hint, initial = null, skip } = {}) {
  const opt = (value, label) => h('label', { class: 'seg seg-wide' },
    h('input', { type: 'radio', name, value, checked: initial === (value === 'yes') && initial !== null }), h('span', {}, label));
  const node = h('fieldset', { class: 'yesno', id: `f-${name}`, tabindex: '-1' },
    h('legend', {}, question),
    hint && h('p', { class: 'hint' }, hint),
    h('div', { class: 'yesno-options' }, opt('yes', t('redflag.yes')), opt('no', t('redflag.no'))));
  if (skip) {
    const skipped = h('p', { class: 'hint skipped', hidden: true }, t('checkin.skipped'));
    const button = h('button', { type: 'button', class: 'btn btn-quiet btn-skip', 'data-testid': `skip-${name}` }, skip);
    button.addEventListener('click', () => {
      for (const i of node.querySelectorAll('input')) /** @type {HTMLInputElement} */ (i).checked = false;
      skipped.hidden = false;
      // On to the next question, as answering would.
      const next = /** @type {HTMLElement | null} */ (node.nextElementSibling?.querySelector('input') || null);
      next?.focus();
    });
    node.addEventListener('change', () => { skipped.hidden = true; });
    node.append(button, skipped);
  }
  const value = () => {
    const v = /** @type {HTMLInputElement | null} */ (node.querySelector('input:checked'))?.value;
    return v === 'yes' ? true : v === 'no' ? false : null;
  };
  return { node, value };
}

/**
 * chips is a "choose any" question; value() lists the chosen ids in the choices' order.
 * @param {string} name
 * @param {string} question
 * @param {{id: string, label: string}[]} choices
 * @param {{hint?: string, initial?: string[], only?: string}} [options] only: a choice that stands alone ("Nothing new")
 */
export function chips(name, question, choices, { hint, initial = [], only } = {}) {
  const node = h('fieldset', { class: 'chips', id: `f-${name}` },
    h('legend', {}, question),
    hint && h('p', { class: 'hint' }, hint),
    h('div', { class: 'chip-list' }, choices.map((c) =>
      h('label', { class: 'chip' }, h('input', { type: 'checkbox', name, value: c.id, checked: initial.includes(c.id) }), h('span', {}, c.label)))));
  if (only) {
    node.addEventListener('change', (e) => {
      const box = /** @type {HTMLInputElement} */ (e.target);
      if (!box.checked) return;
      for (const other of node.querySelectorAll('input')) {
        const o = /** @type {HTMLInputElement} */ (other);
        if (o !== box && (box.value === only || o.value === only)) o.checked = false;
      }
    });
  }
  const value = () => [...node.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
  return { node, value };
}

/**
 * places asks where it hurts: one large toggle per area (back, buttock, thigh, below the
 * knee, foot) and, once ticked, left / right / both. value() is the areas with a side;
 * unsided() the labels of ticked areas without one.
 * @param {string} name
 * @param {string} question
 * @param {any} c content (its checkIn.areas and checkIn.sides)
 * @param {{area: string, side: string}[]} [initial]
 */
export function places(name, question, c, initial = []) {
  const rows = c.checkIn.areas.map((a) => {
    const had = initial.find((p) => p.area === a.id);
    const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', name, value: a.id, checked: !!had }));
    const sides = h('div', { class: 'sides', role: 'radiogroup', 'aria-label': a.label, hidden: !had },
      c.checkIn.sides.map((s) => h('label', { class: 'seg' },
        h('input', { type: 'radio', name: `${name}-side-${a.id}`, value: s.id, checked: had?.side === s.id }), h('span', {}, s.label))));
    box.addEventListener('change', () => {
      sides.hidden = !box.checked;
      if (box.checked) /** @type {HTMLInputElement} */ (sides.querySelector('input')).focus();
    });
    const side = () => /** @type {HTMLInputElement | null} */ (sides.querySelector('input:checked'))?.value || '';
    return { id: a.id, label: a.label, box, side, node: h('div', { class: 'place' }, h('label', { class: 'chip chip-wide' }, box, h('span', {}, a.label)), sides) };
  });
  const node = h('fieldset', { class: 'places', id: `f-${name}`, tabindex: '-1' }, h('legend', {}, question), rows.map((r) => r.node));
  return {
    node,
    value: () => rows.filter((r) => r.box.checked && r.side()).map((r) => ({ area: r.id, side: r.side() })),
    unsided: () => rows.filter((r) => r.box.checked && !r.side()).map((r) => r.label),
  };
}
