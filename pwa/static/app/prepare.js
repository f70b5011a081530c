// @ts-check
// "Prepare for your session" (#/prepare), in the clinic content's words: where it hurts now
// and how it feels, the movements that make it worse, goals for this session, how the
// pressure felt last time, anything new in the client's health, and the studio's day-of
// advice. Every answer is optional. Sent through the outbox; the latest one since the last
// session is the one the therapist reads. Opened from Today and from the "prepare" reminder.
import { h } from '../shared/dom.js';
import { t, tt } from '../shared/i18n.js';
import { send, uuid } from './outbox.js';
import { reason } from './text.js';
import { content, radios, chips, places } from './clinic.js';

const NOTE_MAX = 300;

/** line is a one-line free answer. */
function line(id, label, value = '') {
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'text', id, class: 'text', maxlength: NOTE_MAX, value, 'data-testid': id }));
  return { node: h('div', { class: 'field' }, h('label', { for: id }, label), input), value: () => input.value.trim().slice(0, NOTE_MAX) };
}

/** dayOf is the studio's advice for the day of the session. */
const dayOf = (p) => h('section', { class: 'card card-soft', 'aria-labelledby': 'day-of', 'data-testid': 'day-of' },
  h('h2', { id: 'day-of' }, p.dayOfTitle),
  h('ul', { class: 'tips' }, p.dayOf.map((s) => h('li', {}, s))));

/** renderPrepare builds the form, filled with the answers already sent since the last session. */
export async function renderPrepare(ctx) {
  const c = await content(ctx.plan);
  const p = c.preparation;
  const was = ctx.plan.clinic?.preparation || {};
  const where = places('prep-area', p.where, c, was.areas || []);
  const feelings = chips('prep-feeling', p.feeling, c.checkIn.feelings, { initial: was.feelings || [] });
  const worse = chips('prep-worse', p.worse.question, p.worse.choices, { hint: p.worse.hint, initial: was.worse || [] });
  const worseNote = line('prep-worse-note', p.worseNote, was.worseNote);
  const goals = chips('prep-goals', p.goals.question, p.goals.choices, { hint: p.goals.hint, initial: was.goals || [] });
  const goalsNote = line('prep-goals-note', p.goalsNote, was.goalsNote);
  const pressure = radios('prep-pressure', p.pressure.question, p.pressure.choices, { hint: p.pressure.hint, initial: was.pressure || '' });
  const health = chips('prep-health', p.health.question, p.health.choices, { hint: p.health.hint, initial: was.health || [], only: 'nothing-new' });
  const healthNote = line('prep-health-note', p.healthNote, was.healthNote);
  const error = h('div', { class: 'form-error', role: 'alert' });

  const form = h('form', { class: 'stack clinic-form', novalidate: true },
    h('section', { class: 'card' }, where.node, feelings.node),
    h('section', { class: 'card' }, worse.node, worseNote.node),
    h('section', { class: 'card' }, goals.node, goalsNote.node),
    h('section', { class: 'card' }, pressure.node),
    h('section', { class: 'card' }, health.node, healthNote.node),
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'submit-prepare' }, t('prepare.submit')));

  const heading = h('h1', { tabindex: '-1' }, p.title);
  const node = h('section', { class: 'stack', 'data-testid': 'prepare' }, heading, h('p', { class: 'lead' }, p.intro), form, dayOf(p));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const unsided = where.unsided();
    if (unsided.length) {
      error.textContent = t('checkin.missing', { List: t('checkin.missing.side', { Areas: unsided.join(', ') }) });
      /** @type {HTMLElement} */ (form.querySelector('#f-prep-area')).focus();
      return;
    }
    error.textContent = '';
    const body = {
      id: uuid(),
      at: new Date().toISOString(),
      areas: where.value(),
      feelings: feelings.value(),
      worse: worse.value(),
      worseNote: worseNote.value(),
      goals: goals.value(),
      goalsNote: goalsNote.value(),
      pressure: pressure.value(),
      health: health.value(),
      healthNote: healthNote.value(),
    };
    const sending = send(ctx.token, 'preparation', body);
    ctx.plan.clinic = { ...(ctx.plan.clinic || {}), preparationDue: false, preparation: body };
    const therapist = ctx.plan.therapist?.name || '';
    const done = h('h1', { tabindex: '-1' }, t('prepare.sent'));
    const status = h('p', { class: 'status', role: 'status', 'data-testid': 'prepare-status' }, t('advice.status.sending'));
    sending.then((r) => {
      status.textContent = r.sent ? tt('advice.status.sent', therapist) : r.queued ? t('psfs.queued') : r.rejected ? t('checkin.refused', { Reason: reason(r.error) }) : t('advice.status.failed');
    });
    node.replaceChildren(done, status, dayOf(p),
      h('a', { href: '#/prepare', class: 'btn', onclick: (/** @type {Event} */ ev) => { ev.preventDefault(); ctx.show('#/prepare'); } }, t('prepare.change')),
      h('a', { href: '#/today', class: 'btn btn-primary' }, t('advice.backToToday')));
    done.focus();
  });
  return { node, focus: heading };
}
