// @ts-check
// Safety content that must show at once, even offline: the red flags, how to call for
// help, and the full-screen "get medical care now" screen.
import { h } from '../shared/dom.js';

/** The red flags: the question asked, and the plain words used on the urgent screen. */
export const RED_FLAGS = [
  ['leg-weakness', 'Do you have severe or worsening weakness or numbness in a leg?', 'severe or worsening weakness or numbness in a leg'],
  ['saddle-numbness', 'Do you have numbness in your groin, between your legs (the “saddle” area) or on your inner thighs?', 'numbness in the groin, saddle area or inner thighs'],
  ['bladder-bowel', 'Have you newly lost control of your bladder or bowels?', 'new loss of bladder or bowel control'],
];

/** callButton dials the emergency number where the client is (the server picks it from the
 *  plan's time zone; 112 reaches emergency services from mobile phones in most countries). */
function callButton(number, describedBy) {
  return [
    h('a', { class: 'btn btn-call', href: `tel:${number}`, 'aria-describedby': describedBy }, `Call ${number} — emergency services`),
    h('p', { id: describedBy, class: 'numbers' }, number === '112'
      ? 'Or your local emergency number. 112 works from mobile phones in most countries.'
      : 'Or your local emergency number if you are travelling. 112 works from mobile phones in most countries.'),
  ];
}

/** callCard lists the red flags with the emergency call button. */
export function callCard(heading, number = '112') {
  return h('section', { class: 'card card-danger', 'aria-labelledby': 'rf-list' },
    h('h2', { id: 'rf-list' }, heading),
    h('ul', {}, RED_FLAGS.map(([, , words]) => h('li', {}, words[0].toUpperCase() + words.slice(1)))),
    ...callButton(number, 'numbers'),
    h('p', {}, 'Or go straight to the nearest emergency department (A&E / ER). Don’t wait to see if it passes.'));
}

/** sendStatus is a status line that follows a queued send (see outbox.send). */
export function sendStatus(sending, texts) {
  const p = h('p', { class: 'status', role: 'status' }, texts.pending);
  sending.then((r) => {
    p.textContent = r.sent ? texts.sent : r.queued ? texts.queued : r.error?.limit ? `Not sent: ${r.error.message}.` : texts.failed;
  });
  return p;
}

/** renderUrgent is the full-screen "get medical care now" screen; flash is set after a check-in. */
export function renderUrgent(ctx, flash) {
  const therapist = ctx.plan?.therapist?.name || 'your therapist';
  const flagged = flash ? RED_FLAGS.filter(([id]) => flash.checkin.redFlags.includes(id)) : RED_FLAGS;
  const heading = h('h1', { tabindex: '-1' }, 'Get medical care now');
  const node = h('section', { class: 'urgent', 'data-testid': 'urgent' },
    heading,
    h('p', { class: 'lead' }, flash ? 'You told us you have:' : 'Get medical care now if you have:'),
    h('ul', {}, flagged.map(([, , words]) => h('li', {}, words))),
    h('p', {}, 'With back pain, these signs can mean a nerve at the bottom of the spine is being squeezed. '
      + 'That needs a doctor today — treated quickly it heals best. Don’t wait to see if it passes.'),
    ...callButton(ctx.plan?.emergencyNumber || '112', 'other-numbers'),
    h('p', {}, 'Or go straight to the nearest emergency department (A&E / ER).'),
    h('p', {}, 'Please don’t do any more stretches until a doctor has checked you.'),
    flash && sendStatus(flash.sending, {
      pending: `Telling ${therapist}…`,
      sent: `${therapist} has been told. Please still get care now.`,
      queued: '', // the delivery notice below says it has not reached them yet
      failed: `We couldn’t reach ${therapist}. Please get care now, and call them when you can.`,
    }),
    ctx.deliveryNotice?.(),
    ctx.plan && h('a', { class: 'btn btn-on-urgent', href: '#/today' }, 'Back to my plan'));
  return { node, focus: heading };
}
