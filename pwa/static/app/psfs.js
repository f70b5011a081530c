// @ts-check
// The Patient-Specific Functional Scale (#/psfs), in the clinic content's words: the first
// time the client names up to three everyday activities the pain makes hard and rates each
// 0–10; after that (weekly, and the day before the next session) rates the same ones again,
// and may swap one for another. The server compares the rating with the first one; a change
// of 2 points or more is shown as a real change. The authors' attribution line is shown
// wherever the scale is.
import { h } from '../shared/dom.js';
import { t, tt, list } from '../shared/i18n.js';
import { send, uuid } from './outbox.js';
import { content, slider } from './clinic.js';
import { reason } from './text.js';

const NAME_MAX = 60;

/** attribution is the authors' line, kept wherever the scale is shown. */
const attribution = (c) => h('p', { class: 'attribution', 'data-testid': 'psfs-attribution' }, c.psfs.attribution);

/** renderPSFS builds the rating form: first time, or the activities named before. */
export async function renderPSFS(ctx) {
  const c = await content(ctx.plan);
  const p = c.psfs;
  const clinic = ctx.plan.clinic || {};
  const before = clinic.psfsLatest?.activities || [];
  const again = before.length > 0;
  const error = h('div', { class: 'form-error', role: 'alert' });

  /** Each row: the activity's name (typed, or named before) and its rating. */
  const rows = (again ? before : [null, null, null]).map((a, i) => {
    const n = i + 1;
    const name = /** @type {HTMLInputElement} */ (h('input', { type: 'text', id: `psfs-name-${n}`, class: 'text', maxlength: NAME_MAX,
      autocomplete: 'off', 'data-testid': `psfs-name-${n}`, value: a ? a.name : '', hidden: !!a }));
    const named = a && h('p', { class: 'activity-name', 'data-testid': `psfs-activity-${n}` }, a.name);
    const rating = slider(`psfs-${n}`, p.scale, { words: false, legend: p.scale.question });
    const change = a && h('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': `psfs-change-${n}` }, t('psfs.changeOne'));
    change?.addEventListener('click', () => {
      // One activity may be swapped for another: its name becomes a new one to type.
      name.hidden = false;
      name.value = '';
      named?.remove();
      for (const b of form.querySelectorAll('[data-testid^=psfs-change-]')) b.remove();
      name.focus();
    });
    const node = h('fieldset', { class: 'card activity', id: `f-psfs-${n}`, tabindex: '-1' },
      h('legend', {}, t('psfs.activity', { Number: n })),
      named,
      h('label', { for: `psfs-name-${n}`, class: 'vh' }, p.name),
      name, change, rating.node);
    return { n, name, rating, node };
  });

  const form = h('form', { class: 'stack', novalidate: true },
    (again ? p.again : p.first).map((line) => h('p', {}, line)),
    !again && h('p', { class: 'hint' }, t('psfs.examples', { List: list(p.examples) })),
    rows.map((r) => r.node),
    attribution(c),
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'submit-psfs' }, t('psfs.submit')));

  const node = h('section', { class: 'stack', 'data-testid': 'psfs' });
  const heading = h('h1', { tabindex: '-1' }, p.title);
  node.append(heading, form);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const activities = [];
    let problem = '';
    let at = null;
    for (const r of rows) {
      const name = r.name.value.trim();
      const score = r.rating.value();
      if (!name && score === null) continue;
      if (!name) problem ||= t('psfs.missing.name');
      else if (score === null) problem ||= t('psfs.missing.score', { Name: name });
      else if (activities.some((a) => a.name.toLowerCase() === name.toLowerCase())) problem ||= t('psfs.missing.twice', { Name: name });
      else activities.push({ name: name.slice(0, NAME_MAX), score });
      if (problem && !at) at = r.node;
    }
    if (!problem && !activities.length) {
      problem = t('psfs.missing.none');
      at = rows[0].node;
    }
    if (problem) {
      error.textContent = problem;
      at?.focus();
      return;
    }
    error.textContent = '';
    const rating = { id: uuid(), at: new Date().toISOString(), activities };
    const sending = send(ctx.token, 'psfs', rating);
    const now = ctx.plan.clinic || {};
    ctx.plan.clinic = { ...now, psfsDue: '', psfsLatest: rating, psfsFirst: now.psfsFirst || rating };
    const shown = result(ctx, c, rating, sending);
    node.replaceChildren(...shown);
    /** @type {HTMLElement} */ (shown[0]).focus();
  });
  return { node, focus: heading };
}

/** result thanks the client and, once the server answers, shows the change since the first rating. */
function result(ctx, c, rating, sending) {
  const therapist = ctx.plan.therapist?.name || '';
  const heading = h('h1', { tabindex: '-1' }, t('psfs.saved'));
  const status = h('p', { class: 'status', role: 'status' }, t('advice.status.sending'));
  const change = h('div', { 'data-testid': 'psfs-change' });
  sending.then((r) => {
    status.textContent = r.sent ? tt('advice.status.sent', therapist) : r.queued ? t('psfs.queued') : r.rejected ? t('checkin.refused', { Reason: reason(r.error) }) : t('advice.status.failed');
    if (r.sent) change.replaceChildren(...changeNodes(c, r.data?.change));
  });
  return [heading, status,
    h('ul', { class: 'activity-scores' }, rating.activities.map((a) => h('li', {}, t('psfs.score', { Name: a.name, Score: a.score })))),
    change, attribution(c),
    h('a', { href: '#/today', class: 'btn btn-primary' }, t('advice.backToToday'))];
}

/**
 * changeNodes shows a comparison (clinic.PSFSComparison) in plain words: each activity's
 * first and latest score, a change of 2 or more points marked as real, and the average.
 * The first rating ever has none: it is the starting point.
 */
function changeNodes(c, cmp) {
  if (!cmp || !cmp.comparable) return [h('p', {}, t('psfs.start'))];
  const verdict = (v) => c.psfs.verdicts.find((x) => x.id === v)?.label || '';
  const fmt = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  return [
    h('h2', {}, t('psfs.since')),
    h('ul', { class: 'psfs-changes' }, cmp.activities.map((a) => h('li', { class: a.meaningful ? `change change-${a.verdict}` : 'change', 'data-meaningful': a.meaningful ? 'true' : 'false' },
      h('span', { class: 'change-line' }, t('psfs.line', { Name: a.name, First: a.first, Latest: a.latest })),
      a.meaningful && h('span', { class: 'change-verdict' }, verdict(a.verdict))))),
    h('p', { class: cmp.meaningful ? `change change-${cmp.verdict}` : 'change', 'data-testid': 'psfs-average', 'data-meaningful': cmp.meaningful ? 'true' : 'false' },
      h('span', { class: 'change-line' }, t('psfs.average', { First: fmt(cmp.averageFirst), Latest: fmt(cmp.averageLatest) })),
      h('span', { class: 'change-verdict' }, verdict(cmp.meaningful ? cmp.verdict : 'no-change'))),
  ];
}
