// @ts-check
// The soreness check-in and the advice it leads to. The advice is the server's: it judges
// the check-in (server/care) and answers with the texts to show, in the plan's language.
// Any "yes" to a warning sign shows the urgent screen at once, offline too; a check-in
// waiting in the outbox shows what to watch for until its advice arrives.
import { h, announce } from '../shared/dom.js';
import { t, tn, tt, list } from '../shared/i18n.js';
import { send, uuid, onChange } from './outbox.js';
import { firstName } from './text.js';
import { redFlags, sendStatus } from './safety.js';

/** The body areas and feelings a check-in may name (server/model: Areas, Feelings); their
 *  words are the catalog's checkin.area.<id> and checkin.feeling.<id>. */
export const AREAS = ['low-back', 'left-buttock', 'right-buttock', 'left-hamstring', 'right-hamstring',
  'left-calf', 'right-calf', 'left-foot', 'right-foot', 'hip', 'neck-shoulders'];
export const FEELINGS = ['dull', 'sharp', 'shooting', 'burning', 'tingling', 'numb'];

const SEVERITY = { normal: 0, 'contact-therapist': 1, urgent: 2 };

const NOTE_MAX = 500;

/** word names a 0–10 rating ("mild", "leve", "leicht"). */
const word = (n) => t(n === 0 ? 'checkin.scale.none' : n <= 3 ? 'checkin.scale.mild' : n <= 6 ? 'checkin.scale.moderate'
  : n <= 8 ? 'checkin.scale.strong' : 'checkin.scale.veryStrong');

function scale(name, question, hint, lowText, highText) {
  const value = h('p', { class: 'scale-value', 'aria-live': 'polite' }, t('checkin.scale.unset'));
  const grid = h('div', { class: 'scale-grid' });
  for (let n = 0; n <= 10; n++) {
    const input = h('input', { type: 'radio', name, value: n, 'data-testid': `${name}-${n}` });
    const extra = n === 0 ? ` (${lowText})` : n === 10 ? ` (${highText})` : '';
    grid.append(h('label', { class: 'seg' }, input, h('span', {}, n, extra && h('span', { class: 'vh' }, extra))));
  }
  grid.addEventListener('change', (e) => {
    const n = Number(/** @type {HTMLInputElement} */ (e.target).value);
    value.textContent = t('checkin.scale.value', { Value: n, Word: word(n) });
  });
  return h('fieldset', { class: 'scale', id: `f-${name}`, tabindex: '-1' },
    h('legend', {}, question),
    hint && h('p', { class: 'hint' }, hint),
    grid,
    // One line, not two labels at the row ends: the 11 buttons wrap onto two rows, so "10"
    // is not at the far right. Screen readers get the same from the 0 and 10 buttons.
    h('p', { class: 'scale-ends', 'aria-hidden': 'true' }, `0 = ${lowText} · 10 = ${highText}`),
    value);
}

function chips(name, legend, items) {
  return h('fieldset', { class: 'chips' },
    h('legend', {}, legend),
    h('div', { class: 'chip-list' }, items.map(([id, label]) =>
      h('label', { class: 'chip' }, h('input', { type: 'checkbox', name, value: id }), h('span', {}, label)))));
}

function yesNo(id, question) {
  const opt = (value, label) => h('label', { class: 'seg seg-wide' }, h('input', { type: 'radio', name: `rf-${id}`, value }), h('span', {}, label));
  return h('fieldset', { class: 'yesno', id: `f-rf-${id}`, tabindex: '-1' }, h('legend', {}, question),
    h('div', { class: 'yesno-options' }, opt('yes', t('redflag.yes')), opt('no', t('redflag.no'))));
}

/** renderCheckin builds the check-in form. */
export function renderCheckin(ctx) {
  const { plan } = ctx;
  const flags = redFlags(plan);
  const error = h('div', { class: 'form-error', role: 'alert' });
  const note = h('textarea', { id: 'note', name: 'note', rows: 3, maxlength: NOTE_MAX, 'aria-describedby': 'note-count' });
  const count = h('p', { id: 'note-count', class: 'hint' }, t('checkin.note.count', { Length: 0, Max: NOTE_MAX }));
  note.addEventListener('input', () => { count.textContent = t('checkin.note.count', { Length: note.value.length, Max: NOTE_MAX }); });

  const form = h('form', { class: 'stack', novalidate: true },
    scale('soreness', t('checkin.soreness.question'), t('checkin.soreness.hint'), t('checkin.soreness.low'), t('checkin.soreness.high')),
    scale('pain', t('checkin.pain.question'), t('checkin.pain.hint'), t('checkin.pain.low'), t('checkin.pain.high')),
    chips('area', t('checkin.areas'), AREAS.map((id) => [id, t(`checkin.area.${id}`)])),
    chips('feeling', t('checkin.feelings'), FEELINGS.map((id) => [id, t(`checkin.feeling.${id}`)])),
    h('section', { class: 'card card-warn', 'aria-labelledby': 'rf-title' },
      h('h2', { id: 'rf-title' }, t('redflag.title')),
      h('p', {}, t('redflag.intro')),
      flags.map((f) => yesNo(f.id, f.question))),
    h('div', { class: 'field' },
      h('label', { for: 'note' }, tt('checkin.note.label', firstName(plan.therapist?.name))),
      note, count),
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'submit-checkin' }, t('checkin.submit')));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const answers = flags.map((f) => [f.id, data.get(`rf-${f.id}`)]);
    const yes = answers.filter(([, v]) => v === 'yes').map(([id]) => id);
    const soreness = data.get('soreness');
    const pain = data.get('pain');

    // A "yes" to a warning sign never waits for the rest of the form.
    const missing = [];
    if (!yes.length) {
      if (soreness === null) missing.push(['f-soreness', 'checkin.missing.soreness']);
      if (pain === null) missing.push(['f-pain', 'checkin.missing.pain']);
      for (const [id, v] of answers) if (v === null) missing.push([`f-rf-${id}`, 'checkin.missing.redFlags']);
    }
    if (missing.length) {
      const what = [...new Set(missing.map(([, w]) => w))].map((id) => t(id));
      error.textContent = t('checkin.missing', { List: list(what) });
      /** @type {HTMLElement} */ (form.querySelector(`#${missing[0][0]}`)).focus();
      return;
    }
    error.textContent = '';
    const checkin = {
      id: uuid(),
      at: new Date().toISOString(),
      soreness: Number(soreness ?? 0),
      pain: Number(pain ?? 0),
      areas: data.getAll('area'),
      feelings: data.getAll('feeling'),
      redFlags: yes,
      note: note.value.trim().slice(0, NOTE_MAX),
    };
    ctx.addCheckin(checkin);
    const sending = send(ctx.token, 'checkins', checkin);
    // Any warning sign is an emergency: the urgent screen needs no answer from the server.
    ctx.show(yes.length ? '#/urgent' : '#/checkin/done', { checkin, sending });
  });

  return h('section', { class: 'stack' },
    h('h1', { tabindex: '-1' }, t('checkin.title')),
    h('p', { class: 'lead' }, t('checkin.lead')),
    form);
}

/** The advice texts shown as a list under the one before them ("Until then"). */
const LISTED = ['advice.contact.gently', 'advice.contact.warmOrIce', 'advice.contact.water'];

/**
 * adviceNodes lays out the server's advice texts ({id, text}, in order): the first is the
 * heading, a lead paragraph, "Until then" and its list, the note about nerve feelings.
 * Status and delivery notice go after the lead.
 * @param {{id: string, text: string}[]} texts
 * @param {HTMLElement} heading
 * @param {HTMLElement[]} afterLead
 */
function adviceNodes(texts, heading, afterLead) {
  /** @type {HTMLElement[]} */
  const out = [heading];
  heading.textContent = texts[0]?.text || '';
  /** @type {HTMLElement | null} */
  let ul = null;
  texts.slice(1).forEach(({ id, text }, i) => {
    if (LISTED.includes(id)) {
      if (!ul) out.push(ul = h('ul', {}));
      ul.append(h('li', {}, text));
      return;
    }
    ul = null;
    if (id === 'advice.nerveFeelings') out.push(h('p', { class: 'note stop' }, text));
    else if (id.endsWith('.untilThen')) out.push(h('h2', {}, text));
    else out.push(h('p', { class: i === 0 ? 'lead' : null }, text));
    if (i === 0) out.push(...afterLead);
  });
  if (texts.length < 2) out.push(...afterLead);
  return out;
}

/** renderResult shows the server's advice for the check-in just sent (flash: {checkin, sending}). */
export function renderResult(ctx, flash) {
  const { plan } = ctx;
  const therapist = plan.therapist?.name || '';
  const name = firstName(plan.clientName);
  const node = h('section', { class: 'stack' });
  let shownKind = '';

  /** build draws the screen: with the server's answer (its advice), or while there is none. */
  const build = (answer) => {
    const heading = h('h1', { tabindex: '-1' });
    const kind = answer?.advice || '';
    const status = sendStatus(flash.sending, {
      pending: t('advice.status.sending'),
      sent: kind === 'contact-therapist' ? tt('advice.status.told', therapist) : tt('advice.status.sent', therapist),
      queued: t('advice.status.queued'), // the delivery notice says the rest, and when it is sent
      failed: t('advice.status.failed'),
    });
    const notice = ctx.deliveryNotice();
    /** @type {HTMLElement[]} */
    let parts;
    if (answer && Array.isArray(answer.adviceTexts) && answer.adviceTexts.length) {
      parts = adviceNodes(answer.adviceTexts, heading, [status, notice]);
    } else {
      // No answer yet (sending, or waiting in the outbox): thanks, and what to watch for.
      heading.textContent = name ? t('advice.normal.title.named', { Name: name }) : t('advice.normal.title');
      parts = [heading, status, notice];
      if (answer === null) {
        parts.push(h('h2', {}, t('help.contact.title')),
          h('ul', {}, ['stillSore', 'worse', 'nerve', 'unsure'].map((k) => h('li', {}, t(`help.contact.${k}`)))));
      }
    }
    parts.push(
      h('p', {}, tn('advice.warningSigns', { Link: h('a', { href: '#/about' }, t('advice.warningSigns.link')) })),
      h('a', { href: '#/today', class: 'btn btn-primary' }, t('advice.backToToday')));
    node.replaceChildren(...parts);
    shownKind = kind;
    return heading;
  };

  /** follow shows the server's advice once it has the check-in; a more pressing one takes focus. */
  const follow = (answer) => {
    if (!node.isConnected || !answer || !answer.advice) return;
    if (answer.advice === 'urgent') {
      ctx.show('#/urgent', flash);
      return;
    }
    const escalates = (SEVERITY[answer.advice] ?? 0) > (SEVERITY[shownKind] ?? 0) && answer.advice !== 'normal';
    const hadFocus = node.contains(document.activeElement);
    const heading = build(answer);
    if (escalates || hadFocus) heading.focus({ preventScroll: !escalates });
    if (escalates) announce(t('advice.contact.announce'));
  };

  const heading = build(undefined);
  flash.sending.then((r) => {
    if (r.sent) follow(r.data);
    else if (node.isConnected) build(null);
  });
  // Sent later by the outbox (the phone was offline): its answer carries the advice.
  const stop = onChange(({ delivered }) => {
    const mine = delivered.find((item) => item.id === flash.checkin.id);
    if (mine && mine.answer) follow(mine.answer);
  });
  return { node, focus: heading, cleanup() { stop(); } };
}
