// @ts-check
// Before the next session: one screen (and one printed page) with what changed since the
// last session — back and leg pain, soreness and sitting from first to latest, the PSFS
// change, the days stretched — the client's preparation answers, and anything flagged.
// From GET /api/plans/{token}/summary; the client's choices are labelled with the clinic
// content in the therapist's language (clinic.js), the rest with the workspace's words.
import { h } from '../shared/dom.js';
import { t, number } from '../shared/i18n.js';
import { api, show, when, day, minutes } from './workspace.js';
import { clinicWords } from './clinic.js';
import { flagList } from './plan.js';

/** signed shows a change with its sign ("+3", "−2", "0"). */
const signed = (/** @type {number} */ n) => number(n, { signDisplay: 'exceptZero', maximumFractionDigits: 1 });

/**
 * verdict words a change: better, worse or no real change (a single reading: none).
 * @param {string | undefined} v
 */
const verdict = (v) => v && h('span', { class: `verdict ${v}` }, t(`summary.verdict.${v}`));

/**
 * trendRow is one rating from its first to its latest reading since the session.
 * @param {string} key the workspace's word for the rating
 * @param {any} tr a clinic Trend, or null
 * @param {(n: number) => string} fmt
 */
function trendRow(key, tr, fmt) {
  const testid = `trend-${key}`;
  if (!tr) return h('tr', { 'data-testid': testid }, h('th', { scope: 'row' }, t(`summary.trend.${key}`)), h('td', { colspan: '2', class: 'muted' }, t('summary.noReadings')));
  return h('tr', { 'data-testid': testid },
    h('th', { scope: 'row' }, t(`summary.trend.${key}`)),
    h('td', {}, tr.readings > 1 ? t('summary.firstToLatest', { First: fmt(tr.first), Latest: fmt(tr.latest) }) : fmt(tr.latest),
      h('span', { class: 'hint readings' }, t('summary.readings', { Count: tr.readings }))),
    h('td', {}, verdict(tr.verdict)));
}

/**
 * psfsSection shows each activity's first and latest score and the average, a change of
 * 2 points or more marked as meaningful; 0–10, higher is better.
 * @param {any} s the summary
 * @param {string} attribution the authors' line
 */
function psfsSection(s, attribution) {
  const c = s.psfs;
  const scale = h('p', { class: 'hint' }, t('summary.psfs.scale'));
  const credit = attribution && h('p', { class: 'hint attribution' }, attribution);
  if (!c || !c.comparable) {
    return [scale, h('p', { class: 'muted', 'data-testid': 'psfs-none' }, t(c ? 'summary.psfs.notComparable' : 'summary.psfs.none')), credit];
  }
  const meaningful = (/** @type {boolean} */ m) => m && h('strong', { class: 'meaningful' }, ` ${t('summary.psfs.meaningful')}`);
  const row = (/** @type {any} */ a) => h('tr', { class: a.meaningful ? 'meaningful' : null },
    h('th', { scope: 'row', class: 'words' }, a.name),
    h('td', { class: 'nums' }, t('summary.firstToLatest', { First: number(a.first), Latest: number(a.latest) })),
    h('td', {}, signed(a.change), meaningful(a.meaningful)));
  const since = s.psfsSinceSession && s.psfsSinceSession.comparable && s.psfsSinceSession.firstAt !== c.firstAt && h('p', { 'data-testid': 'psfs-since-session' },
    t('summary.psfs.sinceSession', { First: number(s.psfsSinceSession.averageFirst), Latest: number(s.psfsSinceSession.averageLatest), Change: signed(s.psfsSinceSession.averageChange) }),
    meaningful(s.psfsSinceSession.meaningful));
  return [scale,
    h('p', { class: 'hint' }, t('summary.psfs.dates', { First: day(c.firstAt), Latest: day(c.latestAt) })),
    h('table', { class: 'summary-table', 'data-testid': 'psfs' },
      h('tbody', {}, c.activities.map(row),
        h('tr', { class: `average${c.meaningful ? ' meaningful' : ''}`, 'data-testid': 'psfs-average' },
          h('th', { scope: 'row' }, t('summary.psfs.average')),
          h('td', { class: 'nums' }, t('summary.firstToLatest', { First: number(c.averageFirst), Latest: number(c.averageLatest) })),
          h('td', {}, signed(c.averageChange), meaningful(c.meaningful))))),
    (c.added || []).length > 0 && h('p', { class: 'hint' }, t('summary.psfs.added', { Names: c.added.join(', ') })),
    (c.dropped || []).length > 0 && h('p', { class: 'hint' }, t('summary.psfs.dropped', { Names: c.dropped.join(', ') })),
    since, credit];
}

/**
 * preparationSection lists the client's answers to "Prepare for your session".
 * @param {any} prep
 * @param {import('./clinic.js').ClinicWords} words
 */
function preparationSection(prep, words) {
  if (!prep) return h('p', { class: 'muted', 'data-testid': 'preparation-none' }, t('summary.prep.none'));
  /** @param {string} key @param {string} text @param {string} [note] */
  const row = (key, text, note) => [h('dt', {}, t(`summary.prep.${key}`)),
    h('dd', { 'data-testid': `prep-${key}` }, text || (note ? '' : t('summary.prep.notAnswered')), note ? h('span', { class: 'words' }, `${text ? ' · ' : ''}${t('plan.words.quote', { Note: note })}`) : '')];
  const health = prep.health || [];
  return [h('p', { class: 'hint' }, t('summary.prep.sent', { When: when(prep.at) })),
    h('dl', { class: 'facts', 'data-testid': 'preparation' },
      row('where', words.places(prep.areas)),
      row('feels', words.choices('feelings', prep.feelings)),
      row('worse', words.choices('worse', prep.worse), prep.worseNote),
      row('goals', words.choices('goals', prep.goals), prep.goalsNote),
      row('pressure', prep.pressure ? words.choice('pressure', prep.pressure) : ''),
      row('health', words.choices('health', health), prep.healthNote))];
}

/** @param {string} token */
export async function summaryScreen(token) {
  const [res, p, words] = await Promise.all([api('GET', `/api/plans/${token}/summary`), api('GET', `/api/plans/${token}`), clinicWords()]);
  if (location.hash !== `#/plan/${token}/summary`) return; // the therapist went elsewhere meanwhile
  const s = res.summary;
  // The summary's flags name who handled them by id; the plan view's carry the name too.
  const names = new Map(((p.clinic && p.clinic.flags) || []).map((/** @type {any} */ f) => [f.checkInId, f.handledByName]));
  const flags = (s.flags || []).map((/** @type {any} */ f) => ({ ...f, handledByName: f.handledByName || names.get(f.checkInId) }));
  const print = h('button', { type: 'button', class: 'primary', 'data-testid': 'print-summary' }, t('summary.print'));
  print.addEventListener('click', () => window.print());
  const flagged = flags.length > 0 || (s.notices || []).length > 0;
  const notices = s.notices || [];
  const noticeText = (/** @type {string} */ id) => {
    const text = t(`summary.notice.${id}`);
    return text === `summary.notice.${id}` ? id.replace(/-/g, ' ') : text;
  };
  const leg = s.legChanges || { down: 0, up: 0, same: 0, latest: '' };
  const a = s.adherence || { daysStretched: 0, days: 0 };
  const pct = a.days ? Math.round((10 * a.daysStretched) / a.days) : 0;

  show(h('article', { class: 'summary', 'data-testid': 'summary' },
    h('h1', {}, t('summary.title', { Name: res.client })),
    h('p', { class: 'muted', 'data-testid': 'summary-dates' }, t(res.nextSession ? 'summary.dates' : 'summary.datesNotBooked', { Last: when(res.sessionAt), Next: when(res.nextSession) }),
      ' · ', t('summary.checkIns', { Count: s.checkIns })),
    h('div', { class: 'row no-print' }, print, h('a', { href: `#/plan/${token}`, class: 'btn' }, t('summary.backToPlan'))),

    h('section', { class: `card${flagged ? ' flagged' : ''}`, 'data-testid': 'summary-flags' },
      h('h2', {}, t('summary.flags.title')),
      flags.length ? flagList(flags, words, 'summary-flag-list') : h('p', { class: 'muted' }, t('summary.flags.none')),
      notices.length > 0 && h('ul', { class: 'notices', 'data-testid': 'summary-notices' }, notices.map((/** @type {any} */ n) => h('li', {},
        h('span', { class: 'hint' }, `${when(n.at)}: `), n.advice.map(noticeText).join(', '),
        h('span', { class: 'hint' }, ` · ${t(n.handled ? 'summary.notice.handled' : 'plan.flags.pending')}`))))),

    h('section', { class: 'card' },
      h('h2', {}, t('summary.trends.title')),
      h('table', { class: 'summary-table', 'data-testid': 'trends' }, h('tbody', {},
        trendRow('legPain', s.legPain, (n) => number(n)),
        trendRow('backPain', s.backPain, (n) => number(n)),
        trendRow('soreness', s.soreness, (n) => number(n)),
        trendRow('sitting', s.sitMinutes, minutes))),
      h('p', { class: 'hint' }, t('summary.trends.scale')),
      h('p', { 'data-testid': 'summary-leg' }, t('summary.leg', { Down: leg.down, Up: leg.up, Same: leg.same })),
      s.nightsAnswered > 0 && h('p', { 'data-testid': 'summary-nights' }, t('summary.nights', { Woken: s.nightsWoken, Count: s.nightsAnswered }))),

    h('section', { class: 'card' },
      h('h2', {}, t('summary.psfs.title')),
      psfsSection(s, words.attribution)),

    h('section', { class: 'card' },
      h('h2', {}, t('summary.adherence.title')),
      h('p', { 'data-testid': 'summary-adherence' }, t('summary.adherence.days', { Done: a.daysStretched, Count: a.days })),
      h('div', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: `w${pct}` }))),

    h('section', { class: 'card' },
      h('h2', {}, t('summary.prep.title')),
      preparationSection(s.preparation, words))));
}
