// @ts-check
// The two screens a warning sign leads to, in the clinic content's words: "Get medical care
// now" (emergency-now: full screen, the call button, what the client told us and the steps)
// and the calmer "see a doctor in the next few days" (see-doctor-soon: the steps, the advice
// when the server has it, and the emergency signs to act on if they appear). Without the
// clinic content (never loaded on this phone) the emergency screen is the catalog's.
import { h } from '../shared/dom.js';
import { t, tt } from '../shared/i18n.js';
import { renderUrgent as catalogUrgent, sendStatus } from './safety.js';
import { soon, screenFor, EMERGENCY, SEE_DOCTOR } from './clinic.js';
import { followAnswer, escalate, adviceList } from './checkin.js';

/** callButton dials the emergency number where the client is, in the screen's words. */
function callButton(screen, number) {
  return [
    h('a', { class: 'btn btn-call', href: `tel:${number}`, 'aria-describedby': 'other-numbers', 'data-testid': 'call' },
      (screen.call || t('urgent.call', { Number: '{number}' })).replace('{number}', number)),
    h('p', { id: 'other-numbers', class: 'numbers' }, t(number === '112' ? 'urgent.otherNumber.112' : 'urgent.otherNumber')),
  ];
}

/** steps are the screen's steps, then the extra step of each sign answered yes. */
const steps = (screen, yes) => h('ol', { class: 'steps', 'data-testid': 'steps' },
  [...screen.steps, ...yes.map((q) => q.do).filter(Boolean)].map((s) => h('li', {}, s)));

/** told is the status line of the check-in that led here: the screen's "told" once the server says so. */
function told(flash, screen, therapist, texts) {
  if (!flash?.sending) return null;
  const line = sendStatus(flash.sending, texts);
  const done = (answer) => {
    if (answer) line.textContent = answer.told ? screen.told : texts.sent;
  };
  if (flash.answer) done(flash.answer);
  else flash.sending.then((r) => r.sent && done(r.data));
  return line;
}

/** yesOf are the questions of the flash's check-in answered yes. */
const yesOf = (c, flash) => flash?.yes || (flash?.checkin ? c.questions.filter((q) => {
  const answers = flash.checkin[q.tier === EMERGENCY ? 'emergency' : 'seeDoctor'];
  return answers && answers[q.id] === true;
}) : []);

/** renderUrgent is the full-screen "get medical care now"; flash is set after a check-in. */
export async function renderUrgent(ctx, flash) {
  const c = flash?.content || await soon(ctx.plan, 1500);
  const screen = c && screenFor(c, EMERGENCY);
  if (!screen) return catalogUrgent(ctx, flash?.checkin?.redFlags ? flash : null);
  const therapist = ctx.plan?.therapist?.name || '';
  const yes = yesOf(c, flash).filter((q) => q.tier === EMERGENCY);
  const shown = yes.length ? yes : c.questions.filter((q) => q.tier === EMERGENCY);
  const heading = h('h1', { tabindex: '-1' }, screen.title);
  const node = h('section', { class: 'urgent', 'data-testid': 'urgent' },
    heading,
    h('p', { class: 'lead' }, yes.length ? screen.lead : t('urgent.lead.general')),
    h('ul', { 'data-testid': 'told-us' }, shown.map((q) => h('li', {}, q.words))),
    ...callButton(screen, ctx.plan?.emergencyNumber || '112'),
    steps(screen, yes),
    told(flash, screen, therapist, {
      pending: tt('urgent.status.telling', therapist),
      sent: tt('urgent.status.told', therapist),
      queued: '', // the delivery notice below says it has not reached them yet
      failed: tt('urgent.status.failed', therapist),
    }),
    flash?.unfinished && h('p', { class: 'status', 'data-testid': 'unfinished' }, tt('urgent.status.unfinished', therapist)),
    flash?.unfinished && h('a', { class: 'btn btn-on-urgent', href: '#/checkin', 'data-testid': 'finish-checkin' }, t('urgent.finish')),
    ctx.deliveryNotice?.(),
    ctx.plan && h('a', { class: 'btn btn-on-urgent', href: '#/today' }, t('urgent.back')));
  return { node, focus: heading };
}

/** renderDoctor is the calmer "see a doctor in the next few days" screen. */
export async function renderDoctor(ctx, flash) {
  const c = flash?.content || await soon(ctx.plan, 1500);
  const screen = c && screenFor(c, SEE_DOCTOR);
  if (!screen) return null;
  const therapist = ctx.plan?.therapist?.name || '';
  const yes = yesOf(c, flash).filter((q) => q.tier === SEE_DOCTOR);
  const heading = h('h1', { tabindex: '-1' }, screen.title);
  const advice = h('div', {});
  const node = h('section', { class: 'stack doctor', 'data-testid': 'doctor' },
    heading,
    yes.length > 0 && [h('p', { class: 'lead' }, screen.lead), h('ul', { 'data-testid': 'told-us' }, yes.map((q) => h('li', {}, q.words)))],
    h('section', { class: 'card card-accent' }, steps(screen, yes)),
    told(flash, screen, therapist, {
      pending: t('advice.status.sending'),
      sent: tt('advice.status.sent', therapist),
      queued: t('advice.status.queued'),
      failed: t('advice.status.failed'),
    }),
    ctx.deliveryNotice?.(),
    advice,
    h('section', { class: 'card card-danger', 'aria-labelledby': 'safety-net', 'data-testid': 'safety-net' },
      h('h2', { id: 'safety-net' }, screen.safetyNet),
      h('ul', {}, c.questions.filter((q) => q.tier === EMERGENCY).map((q) => h('li', {}, q.words))),
      h('a', { class: 'btn btn-call', href: `tel:${ctx.plan?.emergencyNumber || '112'}` }, t('urgent.call.short', { Number: ctx.plan?.emergencyNumber || '112' }))),
    ctx.plan && h('a', { class: 'btn btn-primary', href: '#/today' }, t('advice.backToToday')));

  /** fill puts the server's advice in place (the tier screen leaves out good news). */
  const fill = (answer) => {
    const items = answer.assessment?.advice || [];
    advice.replaceChildren(...(items.length ? [h('h2', {}, t('advice.title')), adviceList(items)] : []));
  };
  let stop = () => {};
  if (flash?.answer) fill(flash.answer);
  else if (flash?.checkin) {
    stop = followAnswer(flash, (answer) => {
      if (node.isConnected && answer && !escalate(ctx, flash, answer, SEE_DOCTOR)) fill(answer);
    });
  }
  return { node, focus: heading, cleanup() { stop(); } };
}
