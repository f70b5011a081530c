// @ts-check
// The soreness check-in and the advice it leads to. Advice is computed here too, so it
// shows offline; the server alerts the therapist.
import { h, announce } from '../shared/dom.js';
import { send, uuid } from './outbox.js';
import { firstName } from './text.js';
import { RED_FLAGS, sendStatus } from './safety.js';

export const AREAS = [
  ['low-back', 'Low back'], ['left-buttock', 'Left buttock'], ['right-buttock', 'Right buttock'],
  ['left-hamstring', 'Back of left thigh'], ['right-hamstring', 'Back of right thigh'],
  ['left-calf', 'Left calf'], ['right-calf', 'Right calf'], ['left-foot', 'Left foot'], ['right-foot', 'Right foot'],
  ['hip', 'Hip'], ['neck-shoulders', 'Neck and shoulders'],
];
export const FEELINGS = [
  ['dull', 'Dull ache'], ['sharp', 'Sharp'], ['shooting', 'Shooting'], ['burning', 'Burning'], ['tingling', 'Tingling'], ['numb', 'Numb'],
];

const SEVERITY = { normal: 0, 'contact-therapist': 1, urgent: 2 };

/**
 * adviceFor: any red flag → urgent; soreness ≥ 7 at least 48 h after the session → contact-therapist.
 * @param {{sessionAt: string}} plan
 * @param {{at: string, soreness: number, redFlags: unknown[]}} checkin
 * @returns {'normal' | 'contact-therapist' | 'urgent'}
 */
export function adviceFor(plan, checkin) {
  if (checkin.redFlags.length) return 'urgent';
  const hours = (Date.parse(checkin.at) - Date.parse(plan.sessionAt)) / 36e5;
  if (checkin.soreness >= 7 && hours >= 48) return 'contact-therapist';
  return 'normal';
}

const WORD = (n) => (n === 0 ? 'none' : n <= 3 ? 'mild' : n <= 6 ? 'moderate' : n <= 8 ? 'strong' : 'very strong');

function scale(name, question, hint, lowText, highText) {
  const value = h('p', { class: 'scale-value', 'aria-live': 'polite' }, 'Not chosen yet');
  const grid = h('div', { class: 'scale-grid' });
  for (let n = 0; n <= 10; n++) {
    const input = h('input', { type: 'radio', name, value: n, 'data-testid': `${name}-${n}` });
    const extra = n === 0 ? ` (${lowText})` : n === 10 ? ` (${highText})` : '';
    grid.append(h('label', { class: 'seg' }, input, h('span', {}, n, extra && h('span', { class: 'vh' }, extra))));
  }
  grid.addEventListener('change', (e) => {
    const n = Number(/** @type {HTMLInputElement} */ (e.target).value);
    value.textContent = `${n} out of 10 — ${WORD(n)}`;
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
    h('div', { class: 'yesno-options' }, opt('yes', 'Yes'), opt('no', 'No')));
}

/** renderCheckin builds the check-in form. */
export function renderCheckin(ctx) {
  const { plan } = ctx;
  const error = h('div', { class: 'form-error', role: 'alert' });
  const note = h('textarea', { id: 'note', name: 'note', rows: 3, maxlength: 500, 'aria-describedby': 'note-count' });
  const count = h('p', { id: 'note-count', class: 'hint' }, '0 of 500 characters');
  note.addEventListener('input', () => { count.textContent = `${note.value.length} of 500 characters`; });

  const form = h('form', { class: 'stack', novalidate: true },
    scale('soreness', 'How sore are your muscles?', 'The achy, bruised feeling after a massage.', 'none', 'worst'),
    scale('pain', 'How much pain do you have?', 'Pain that feels different from soreness — for example sharp, shooting or burning.', 'no pain', 'worst pain'),
    chips('area', 'Where do you feel it? Choose any.', AREAS),
    chips('feeling', 'What does it feel like? Choose any.', FEELINGS),
    h('section', { class: 'card card-warn', 'aria-labelledby': 'rf-title' },
      h('h2', { id: 'rf-title' }, 'Warning signs'),
      h('p', {}, 'Please answer all three. They are rare, but important.'),
      RED_FLAGS.map(([id, q]) => yesNo(id, q))),
    h('div', { class: 'field' },
      h('label', { for: 'note' }, `Anything else you’d like ${firstName(plan.therapist?.name) || 'your therapist'} to know? (optional)`),
      note, count),
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'submit-checkin' }, 'Send check-in'));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const flags = RED_FLAGS.map(([id]) => [id, data.get(`rf-${id}`)]);
    const redFlags = flags.filter(([, v]) => v === 'yes').map(([id]) => id);
    const soreness = data.get('soreness');
    const pain = data.get('pain');

    // A "yes" to a warning sign never waits for the rest of the form.
    const missing = [];
    if (!redFlags.length) {
      if (soreness === null) missing.push(['f-soreness', 'how sore you are']);
      if (pain === null) missing.push(['f-pain', 'how much pain you have']);
      for (const [id, v] of flags) if (v === null) missing.push([`f-rf-${id}`, 'your answer to each warning-sign question']);
    }
    if (missing.length) {
      const what = [...new Set(missing.map(([, w]) => w))];
      const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}` : what[0];
      error.textContent = `Please tell us ${list}.`;
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
      redFlags,
      note: note.value.trim().slice(0, 500),
    };
    const advice = adviceFor(plan, checkin);
    ctx.addCheckin(checkin);
    const sending = send(ctx.token, 'checkins', checkin);
    ctx.show(advice === 'urgent' ? '#/urgent' : '#/checkin/done', { checkin, advice, sending });
  });

  return h('section', { class: 'stack' },
    h('h1', { tabindex: '-1' }, 'How are you feeling?'),
    h('p', { class: 'lead' }, 'About a minute. Your therapist sees your answers.'),
    form);
}

/** renderResult thanks the client, or asks them to contact the therapist when still very sore. */
export function renderResult(ctx, flash) {
  const { plan } = ctx;
  const therapist = plan.therapist?.name || 'your therapist';
  const node = h('section', { class: 'stack' });
  const build = (advice) => {
    const heading = h('h1', { tabindex: '-1' });
    /** @type {HTMLElement[]} */
    const parts = [heading];
    const status = sendStatus(flash.sending, {
      pending: 'Sending…',
      sent: advice === 'contact-therapist' ? `We’ve let ${therapist} know.` : `Sent to ${therapist}.`,
      queued: 'Saved on this phone.', // the delivery notice says the rest, and when it is sent
      failed: 'We couldn’t send this. Please check your connection.',
    });
    const notice = ctx.deliveryNotice();
    if (advice === 'contact-therapist') {
      heading.textContent = 'Please contact your therapist';
      parts.push(
        h('p', { class: 'lead' }, `You’re still quite sore two days after your massage. Soreness usually fades within 48 hours, so please get in touch with ${therapist}.`),
        status,
        notice,
        h('h2', {}, 'Until then'),
        h('ul', {},
          h('li', {}, 'Go gently. Skip any stretch that hurts.'),
          h('li', {}, 'A warm pack, or ice wrapped in a cloth, for 15 minutes can ease tender spots.'),
          h('li', {}, 'Keep drinking water and take short, easy walks.')));
    } else {
      heading.textContent = `Thank you${firstName(plan.clientName) ? `, ${firstName(plan.clientName)}` : ''}`;
      parts.push(
        h('p', { class: 'lead' }, 'Some soreness after a deep-tissue massage is normal. It usually fades within 48 hours.'),
        h('p', {}, 'Keep drinking water, move gently, and do your stretches.'),
        status,
        notice);
    }
    if (flash.checkin.feelings.some((f) => ['shooting', 'tingling', 'numb', 'burning'].includes(f))) {
      parts.push(h('p', { class: 'note stop' }, 'You mentioned shooting, burning, tingling or numb feelings. Skip any stretch that brings them on, and tell your therapist if they don’t settle.'));
    }
    parts.push(
      h('p', {}, 'Warning signs? ', h('a', { href: '#/about' }, 'See when to get medical care'), '.'),
      h('a', { href: '#/today', class: 'btn btn-primary' }, 'Back to today'));
    node.replaceChildren(...parts);
    return heading;
  };
  const heading = build(flash.advice);
  // The server may judge more severely (e.g. the phone's clock is off): follow it.
  flash.sending.then((r) => {
    const server = r.sent && r.data && r.data.advice;
    if (server && SEVERITY[server] > SEVERITY[flash.advice] && node.isConnected) {
      if (server === 'urgent') ctx.show('#/urgent', flash);
      else {
        build(server).focus();
        announce('Please contact your therapist.');
      }
    }
  });
  return { node, focus: heading };
}
