// @ts-check
// The check-in (version 2) and the advice it leads to. Every question is the clinic
// content's (clinic.js, in the plan's language); the buttons and prompts are the app's.
// The phone decides the tier from the same content: a "yes" to an emergency question shows
// the emergency screen at once, offline too, and a see-doctor one the calmer screen. The
// advice is the server's (its assessment), shown when the server has the check-in.
import { h, announce } from '../shared/dom.js';
import { t, tn, tt, list } from '../shared/i18n.js';
import { send, uuid, onChange } from './outbox.js';
import { firstName } from './text.js';
import { sendStatus } from './safety.js';
import { content, tierOf, rank, group, slider, radios, yesNo, chips, places, EMERGENCY, SEE_DOCTOR } from './clinic.js';

const NOTE_MAX = 500;
const SIT_MAX = 720;

/** The hash of each tier's screen. */
export const TIER_SCREEN = { [EMERGENCY]: '#/urgent', [SEE_DOCTOR]: '#/doctor', none: '#/checkin/done' };

/** draft keeps a form left unfinished for the emergency screen, to finish afterwards, with the
 *  partial check-in sent for it ({key, flash}: the warning-sign answers it carried and its send). */
let draft = null;

/** complete: a check-in that answered the whole form, not only the warning signs (a partial one
 *  has partial: true from the server, or no soreness while it waits in the outbox). */
export const complete = (c) => !!c && !c.partial && c.soreness != null;

/** renderCheckin builds the check-in form from the clinic content. */
export async function renderCheckin(ctx) {
  if (draft && draft.token === ctx.token) return draft.screen;
  const c = await content(ctx.plan);
  const { plan } = ctx;
  const ci = c.checkIn;
  const first = !(plan.checkins || []).some(complete) && !plan.clinic?.latestCheckIn;

  const soreness = slider('soreness', ci.soreness);
  const backPain = slider('backPain', ci.backPain);
  const legPain = slider('legPain', ci.legPain);
  const where = places('area', ci.where, c);
  const feelings = chips('feeling', ci.feeling, ci.feelings);
  const legChange = first ? null : radios('legChange', ci.legChange.question, ci.legChange.choices, { hint: ci.legChange.hint });
  const sit = h('input', { type: 'number', id: 'sit', name: 'sit', min: 0, max: SIT_MAX, step: 1, inputmode: 'numeric', 'aria-describedby': 'sit-hint', class: 'number' });
  const night = yesNo('night', ci.night.question, { hint: ci.night.hint });
  const questions = c.questions.map((q) => ({ q, field: yesNo(`rf-${q.id}`, q.text, { hint: q.hint, skip: q.optional ? ci.skip : undefined }) }));
  const emergency = questions.filter(({ q }) => q.tier === EMERGENCY);
  const seeDoctor = questions.filter(({ q }) => q.tier !== EMERGENCY);
  const note = h('textarea', { id: 'note', name: 'note', rows: 3, maxlength: NOTE_MAX, 'aria-describedby': 'note-count' });
  const count = h('p', { id: 'note-count', class: 'hint' }, t('checkin.note.count', { Length: 0, Max: NOTE_MAX }));
  note.addEventListener('input', () => { count.textContent = t('checkin.note.count', { Length: note.value.length, Max: NOTE_MAX }); });
  const error = h('div', { class: 'form-error', role: 'alert' });

  const form = h('form', { class: 'stack clinic-form', novalidate: true },
    h('section', { class: 'card', 'aria-labelledby': 'g-pain' },
      h('h2', { id: 'g-pain' }, t('checkin.group.pain')),
      soreness.node, backPain.node, legPain.node),
    h('section', { class: 'card', 'aria-labelledby': 'g-where' },
      h('h2', { id: 'g-where' }, t('checkin.group.where')),
      where.node, feelings.node, legChange?.node),
    h('section', { class: 'card card-warn', 'aria-labelledby': 'g-emergency', 'data-testid': 'emergency-questions' },
      h('h2', { id: 'g-emergency' }, t('redflag.title')),
      h('p', {}, ci.emergencyIntro),
      emergency.map(({ field }) => field.node)),
    h('section', { class: 'card', 'aria-labelledby': 'g-doctor' },
      h('h2', { id: 'g-doctor' }, t('checkin.group.health')),
      h('p', {}, ci.seeDoctorIntro),
      seeDoctor.map(({ field }) => field.node)),
    h('section', { class: 'card card-soft', 'aria-labelledby': 'g-more' },
      h('h2', { id: 'g-more' }, t('checkin.group.more')),
      h('div', { class: 'field' },
        h('label', { for: 'sit' }, ci.sit.question),
        h('p', { class: 'hint', id: 'sit-hint' }, ci.sit.hint),
        sit),
      night.node,
      h('div', { class: 'field' },
        h('label', { for: 'note' }, ci.note),
        note, count)),
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'submit-checkin' }, t('checkin.submit')));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    /** @type {Record<string, Record<string, boolean | null>>} */
    const answers = { emergency: {}, seeDoctor: {} };
    for (const { q, field } of questions) answers[group(q)][q.id] = field.value();
    const sitText = String(sit.value).trim();
    const sitMinutes = sitText === '' ? null : Number(sitText);

    const missing = [];
    if (soreness.value() === null) missing.push(['f-soreness', t('checkin.missing.soreness')]);
    if (backPain.value() === null) missing.push(['f-backPain', t('checkin.missing.backPain')]);
    if (legPain.value() === null) missing.push(['f-legPain', t('checkin.missing.legPain')]);
    const unsided = where.unsided();
    if (unsided.length) missing.push(['f-area', t('checkin.missing.side', { Areas: list(unsided) })]);
    if (legChange && !legChange.value()) missing.push(['f-legChange', t('checkin.missing.legChange')]);
    if (sitMinutes !== null && !(Number.isInteger(sitMinutes) && sitMinutes >= 0 && sitMinutes <= SIT_MAX)) {
      missing.push(['sit', t('checkin.missing.sit', { Max: SIT_MAX })]);
    }
    for (const { q, field } of questions) {
      if (!q.optional && field.value() === null) missing.push([`f-rf-${q.id}`, t('checkin.missing.redFlags')]);
    }
    const tier = tierOf(c, answers);
    if (missing.length) {
      error.textContent = t('checkin.missing', { List: list([...new Set(missing.map(([, w]) => w))]) });
      if (tier === EMERGENCY) {
        // An emergency never waits for the rest of the form: the screen comes now, and the
        // warning signs go to the therapist now, as a partial check-in (through the outbox, which
        // sends urgent items first). The form stays as it is, to finish and send afterwards as a
        // new check-in. Back from the screen and still unfinished, it is not sent again unless a
        // new sign was answered yes (then that goes as a new partial check-in).
        const yes = c.questions.filter((q) => answers[group(q)][q.id] === true);
        const key = yes.map((q) => q.id).join(' ');
        if (draft?.token !== ctx.token || draft.key !== key) {
          const body = { id: uuid(), at: new Date().toISOString(), emergency: answers.emergency, seeDoctor: answers.seeDoctor };
          draft = { token: ctx.token, screen, key, flash: { checkin: body, sending: send(ctx.token, 'checkins', body) } };
        }
        ctx.show('#/urgent', { ...draft.flash, unfinished: true, tier, content: c, yes });
        return;
      }
      const target = /** @type {HTMLElement} */ (form.querySelector(`#${missing[0][0]}`));
      target.focus();
      return;
    }
    error.textContent = '';
    draft = null;
    const body = {
      id: uuid(),
      at: new Date().toISOString(),
      soreness: soreness.value(),
      backPain: backPain.value(),
      legPain: legPain.value(),
      areas: where.value(),
      feelings: feelings.value(),
      ...(legChange ? { legChange: legChange.value() } : {}),
      ...(sitMinutes !== null ? { sitMinutes } : {}),
      ...(night.value() !== null ? { wokeAtNight: night.value() } : {}),
      emergency: answers.emergency,
      seeDoctor: answers.seeDoctor,
      note: note.value.trim().slice(0, NOTE_MAX),
    };
    // Today's "last check-in" line reads pain as version 1 did: the worse of the two.
    ctx.addCheckin({ ...body, pain: Math.max(body.backPain ?? 0, body.legPain ?? 0) });
    const sending = send(ctx.token, 'checkins', body);
    ctx.show(TIER_SCREEN[tier], { checkin: body, sending, tier, content: c });
  });

  const heading = h('h1', { tabindex: '-1' }, t('checkin.title'));
  const screen = {
    node: h('section', { class: 'stack' }, heading, h('p', { class: 'lead' }, t('checkin.lead')), form),
    focus: heading,
  };
  return screen;
}

/** forgetDraft drops an unfinished form (the plan was erased, or the app changed language). */
export function forgetDraft() {
  draft = null;
}

/**
 * followAnswer calls fn with the server's answer to the check-in of flash once it has it:
 * from this page's send, or from the outbox's later delivery. Returns the stop.
 * @param {any} flash {checkin, sending}
 * @param {(answer: any) => void} fn
 * @param {() => void} [notSent] called when the first send did not reach the server
 */
export function followAnswer(flash, fn, notSent) {
  let live = true;
  flash.sending?.then((r) => {
    if (!live) return;
    if (r.sent) fn(r.data);
    else notSent?.();
  });
  const stop = onChange(({ delivered }) => {
    const mine = delivered.find((item) => item.id === flash.checkin?.id);
    if (mine && mine.answer) fn(mine.answer);
  });
  return () => {
    live = false;
    stop();
  };
}

/**
 * escalate moves to a more pressing tier's screen when the server's assessment is higher
 * than the one shown; true when it did.
 */
export function escalate(ctx, flash, answer, shown) {
  const tier = answer?.assessment?.tier;
  if (!tier || rank(tier) <= rank(shown)) return false;
  ctx.show(TIER_SCREEN[tier], { ...flash, tier, answer });
  return true;
}

/**
 * adviceList shows the assessment's advice items in plain words, each styled by its kind
 * (contact, caution, good, reassure).
 * @param {{id: string, kind: string, text: string}[]} items
 */
export function adviceList(items) {
  return h('ul', { class: 'advice-list', 'data-testid': 'advice' },
    items.map((a) => h('li', { class: `advice advice-${a.kind}`, 'data-kind': a.kind, 'data-id': a.id }, a.text)));
}

/** statusTexts are the status line's words for a check-in (told: the therapist is alerted). */
function statusTexts(therapist, told, toldText) {
  return {
    pending: t('advice.status.sending'),
    sent: told ? toldText || tt('advice.status.told', therapist) : tt('advice.status.sent', therapist),
    queued: t('advice.status.queued'), // the delivery notice says the rest, and when it is sent
    failed: t('advice.status.failed'),
  };
}

/** renderResult shows the advice for a check-in with no warning sign (flash: {checkin, sending, content}). */
export function renderResult(ctx, flash) {
  const { plan } = ctx;
  const therapist = plan.therapist?.name || '';
  const name = firstName(plan.clientName);
  const node = h('section', { class: 'stack', 'data-testid': 'checkin-done' });
  let hadAdvice = false;

  /** build draws the screen: with the server's answer (its advice), or while there is none. */
  const build = (answer) => {
    const heading = h('h1', { tabindex: '-1' }, name ? t('advice.normal.title.named', { Name: name }) : t('advice.normal.title'));
    const advice = answer?.assessment?.advice || [];
    const status = sendStatus(flash.sending, statusTexts(therapist, !!answer?.told));
    if (answer) status.textContent = statusTexts(therapist, !!answer.told).sent;
    const parts = [heading, status, ctx.deliveryNotice()];
    if (advice.length) {
      parts.push(h('h2', {}, t('advice.title')), adviceList(advice));
    } else if (answer === null) {
      // Not sent yet (waiting in the outbox): what to watch for until the advice comes.
      parts.push(h('p', {}, t('advice.later')),
        h('h2', {}, t('help.contact.title')),
        h('ul', {}, ['stillSore', 'worse', 'nerve', 'unsure'].map((k) => h('li', {}, t(`help.contact.${k}`)))));
    }
    parts.push(
      h('p', {}, tn('advice.warningSigns', { Link: h('a', { href: '#/about' }, t('advice.warningSigns.link')) })),
      h('a', { href: '#/today', class: 'btn btn-primary' }, t('advice.backToToday')));
    node.replaceChildren(...parts);
    return heading;
  };

  const follow = (answer) => {
    if (!node.isConnected || !answer) return;
    if (escalate(ctx, flash, answer, 'none')) return;
    const contact = (answer.assessment?.advice || []).some((a) => a.kind === 'contact');
    const hadFocus = node.contains(document.activeElement);
    const heading = build(answer);
    const news = contact && !hadAdvice;
    hadAdvice = true;
    if (news || hadFocus) heading.focus({ preventScroll: !news });
    if (news) announce(t('advice.contact.announce'));
  };

  const heading = build(flash.answer);
  const stop = flash.answer ? () => {} : followAnswer(flash, follow, () => { if (node.isConnected) build(null); });
  return { node, focus: heading, cleanup() { stop(); } };
}
