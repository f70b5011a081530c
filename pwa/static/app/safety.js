// @ts-check
// Safety content that must show at once, even offline: the red flags, how to call for
// help, and the full-screen "get medical care now" screen. The red-flag questions and
// their signs are the server's (the plan's redFlags, in the plan's language); without a
// plan (a link no longer valid) the catalog's red flags are listed, in its order.
import { h } from '../shared/dom.js';
import { t, tt, ids } from '../shared/i18n.js';
import { reason } from './text.js';

/**
 * @typedef {{id: string, question: string, sign: string}} RedFlag
 */

/**
 * redFlags are the check-in's red-flag questions and signs: the plan's, as the server sent
 * them, else every one the catalog holds.
 * @param {any} plan
 * @returns {RedFlag[]}
 */
export function redFlags(plan) {
  if (plan && Array.isArray(plan.redFlags) && plan.redFlags.length) return plan.redFlags;
  return ids().map((id) => /^redflag\.(.+)\.question$/.exec(id)).filter((m) => m !== null)
    .map((m) => ({ id: m[1], question: t(m[0]), sign: t(`redflag.${m[1]}.sign`) }));
}

/** callButton dials the emergency number where the client is (the server picks it from the
 *  plan's time zone; 112 reaches emergency services from mobile phones in most countries). */
function callButton(number, describedBy) {
  return [
    h('a', { class: 'btn btn-call', href: `tel:${number}`, 'aria-describedby': describedBy }, t('urgent.call', { Number: number })),
    h('p', { id: describedBy, class: 'numbers' }, t(number === '112' ? 'urgent.otherNumber.112' : 'urgent.otherNumber')),
  ];
}

/** capitalised writes a sign as a list item: "Severe or worsening weakness…". */
const capitalised = (s) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** callCard lists the emergency signs (the clinic content's, else the plan's red flags) with the
 *  emergency call button. @param {string[] | null} [signs] */
export function callCard(heading, number = '112', plan = null, signs = null) {
  return h('section', { class: 'card card-danger', 'aria-labelledby': 'rf-list' },
    h('h2', { id: 'rf-list' }, heading),
    h('ul', {}, (signs || redFlags(plan).map((f) => f.sign)).map((sign) => h('li', {}, capitalised(sign)))),
    ...callButton(number, 'numbers'),
    h('p', {}, t('urgent.card.emergencyDepartment')));
}

/** sendStatus is a status line that follows a queued send (see outbox.send). */
export function sendStatus(sending, texts) {
  const p = h('p', { class: 'status', role: 'status' }, texts.pending);
  sending.then((r) => {
    p.textContent = r.sent ? texts.sent : r.queued ? texts.queued : r.rejected ? t('checkin.refused', { Reason: reason(r.error) }) : texts.failed;
  });
  return p;
}

/** renderUrgent is the full-screen "get medical care now" screen; flash is set after a check-in. */
export function renderUrgent(ctx, flash) {
  const therapist = ctx.plan?.therapist?.name || '';
  const all = redFlags(ctx.plan);
  const flagged = flash ? all.filter((f) => flash.checkin.redFlags.includes(f.id)) : all;
  const heading = h('h1', { tabindex: '-1' }, t('urgent.title'));
  const node = h('section', { class: 'urgent', 'data-testid': 'urgent' },
    heading,
    h('p', { class: 'lead' }, t(flash ? 'urgent.lead.told' : 'urgent.lead.general')),
    h('ul', {}, flagged.map((f) => h('li', {}, f.sign))),
    h('p', {}, t('urgent.why')),
    ...callButton(ctx.plan?.emergencyNumber || '112', 'other-numbers'),
    h('p', {}, t('urgent.emergencyDepartment')),
    h('p', {}, t('urgent.noMoreStretches')),
    flash && sendStatus(flash.sending, {
      pending: tt('urgent.status.telling', therapist),
      sent: tt('urgent.status.told', therapist),
      queued: '', // the delivery notice below says it has not reached them yet
      failed: tt('urgent.status.failed', therapist),
    }),
    ctx.deliveryNotice?.(),
    ctx.plan && h('a', { class: 'btn btn-on-urgent', href: '#/today' }, t('urgent.back')));
  return { node, focus: heading };
}
