// @ts-check
// A plan's page: pain, soreness and PSFS on one chart, alerts to mark as handled, the latest
// answers and the warning signs raised, check-ins in the client's words, completions page by
// page, and edits (next session, extend, end); the link to the summary before the next session.
import { h, svg, announce } from '../shared/dom.js';
import { localInput, toRFC3339 } from '../shared/dates.js';
import { t, nativeName } from '../shared/i18n.js';
import { state, api, busy, show, when, day, minutes, printLink, cadenceOptions } from './workspace.js';
import { clinicWords } from './clinic.js';

/** marks draws one marker per point as a single path, so a long history stays a few DOM nodes. */
function marks(cls, shape, r, pts) {
  const f = (/** @type {number} */ v) => v.toFixed(1);
  const one = {
    circle: (x, y) => `M${f(x - r)},${f(y)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`,
    square: (x, y) => `M${f(x - r)},${f(y - r)}h${2 * r}v${2 * r}h${-2 * r}z`,
    diamond: (x, y) => `M${f(x)},${f(y - r - 1)}l${r + 1},${r + 1}l${-r - 1},${r + 1}l${-r - 1},${-r - 1}z`,
    triangle: (x, y) => `M${f(x - r)},${f(y - r)}h${2 * r}l${-r},${2 * r}z`,
  }[shape];
  return svg('path', { class: cls, d: pts.map(([x, y]) => one(x, y)).join('') });
}

/**
 * chartPoints reads the series' clinic chart ({at, backPain, legPain, soreness, tier} per
 * check-in, a version-1 one's pain as both; {at, psfs} per PSFS rating) as {at (ms),
 * soreness, backPain, legPain, psfs, tier ("" for none)}, oldest first.
 * @param {any} series
 */
export const chartPoints = (series) => (series.chart || []).map((/** @type {any} */ q) => ({
  at: Date.parse(q.at), soreness: q.soreness, backPain: q.backPain, legPain: q.legPain, psfs: q.psfs,
  tier: q.tier && q.tier !== 'none' ? q.tier : '',
}));

/** The chart's lines: what they show, how they look (colour, dash and marker shape tell them apart). */
const LINES = [
  { key: 'legPain', cls: 'leg', shape: 'circle', label: 'plan.chart.legPain' },
  { key: 'backPain', cls: 'back', shape: 'square', label: 'plan.chart.backPain' },
  { key: 'soreness', cls: 'sore', shape: 'circle', label: 'plan.chart.soreness' },
  { key: 'psfs', cls: 'psfs', shape: 'diamond', label: 'plan.chart.psfs' },
];

/** swatch is a line's sample for the legend, drawn as in the chart. */
const swatch = (/** @type {string} */ cls, /** @type {string} */ shape) => svg('svg', { class: 'swatch-line', viewBox: '0 0 28 12', 'aria-hidden': 'true' },
  svg('line', { class: cls, x1: 1, x2: 27, y1: 6, y2: 6 }), marks(`dot-${cls}`, shape, 3, [[14, 6]]));

/**
 * chart draws leg pain, back pain and soreness (0–10, lower is better) and the PSFS
 * average (0–10, higher is better) on one time axis from the session on, with a marker
 * at each check-in that raised a tier.
 * @param {any} p the plan
 * @param {any} series GET /api/plans/{token}/series
 */
function chart(p, series) {
  const pts = chartPoints(series).filter((q) => Number.isFinite(q.at));
  if (!pts.length) return h('p', { class: 'muted' }, t('plan.chart.empty'));
  const W = 320, H = 190, L = 20, R = 8, T = 12, B = 20;
  const t0 = Math.min(Date.parse(p.sessionAt), pts[0].at);
  const t1 = Math.max(pts[pts.length - 1].at, t0 + 48 * 36e5);
  const x = (/** @type {number} */ ms) => L + ((ms - t0) / (t1 - t0)) * (W - L - R);
  const y = (/** @type {number} */ v) => T + (1 - v / 10) * (H - T - B);
  const checkIns = pts.filter((q) => q.psfs == null).length;
  const ratings = pts.length - checkIns;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'data-testid': 'chart',
    'aria-label': t('plan.chart.label', { Count: checkIns, Ratings: ratings }) });
  for (const v of [0, 5, 10]) g.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }), svg('text', { class: 'axis', x: 2, y: y(v) + 3.5 }, String(v)));
  g.append(svg('text', { class: 'axis', x: L, y: H - 5 }, day(t0)), svg('text', { class: 'axis', x: W - R, y: H - 5, 'text-anchor': 'end' }, day(t1)));
  // Tiers first, behind the lines: a line down the chart at the check-in, its marker on top.
  const tiers = ['emergency-now', 'see-doctor-soon'].map((tier) => ({ tier, at: pts.filter((q) => q.tier === tier).map((q) => x(q.at)) }));
  for (const { tier, at } of tiers) {
    if (!at.length) continue;
    g.append(svg('path', { class: `tier-line ${tier}`, d: at.map((cx) => `M${cx.toFixed(1)},${T}V${H - B}`).join('') }),
      marks(`tier-mark ${tier}`, tier === 'emergency-now' ? 'triangle' : 'circle', 4, at.map((cx) => [cx, T])));
  }
  const shown = [];
  for (const line of LINES) {
    const on = pts.filter((q) => q[line.key] != null && Number.isFinite(q[line.key]));
    if (!on.length) continue;
    shown.push(line);
    const xy = on.map((q) => [x(q.at), y(q[line.key])]);
    g.append(svg('polyline', { class: line.cls, 'data-line': line.key, points: xy.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ') }));
    // A marker per reading while they can be told apart.
    if (on.length <= 60 || line.key === 'psfs') g.append(marks(`dot-${line.cls}`, line.shape, 2.6, xy));
  }
  const legend = h('ul', { class: 'legend', 'data-testid': 'chart-legend' },
    shown.map((line) => h('li', { 'data-line': line.key }, swatch(line.cls, line.shape), ' ', t(line.label))),
    tiers.filter((tr) => tr.at.length).map(({ tier }) => h('li', { 'data-tier': tier },
      svg('svg', { class: 'swatch-line', viewBox: '0 0 28 12', 'aria-hidden': 'true' }, marks(`tier-mark ${tier}`, tier === 'emergency-now' ? 'triangle' : 'circle', 4, [[14, 6]])),
      ' ', t(`tier.${tier}`))));
  const scale = [t('plan.chart.painScale'), shown.some((l) => l.key === 'psfs') && t('plan.chart.psfsScale')].filter(Boolean).join(' ');
  return h('figure', { class: 'chart-box' }, g, h('figcaption', {}, legend, h('p', { class: 'hint', 'data-testid': 'chart-scale' }, scale)));
}

/**
 * pagedList shows the newest page of a plan's check-ins or completions; "Show older"
 * appends the next page from /api/plans/{token}/{kind} (and hands it to onItems).
 * @param {string} token
 * @param {'checkins' | 'completions'} kind
 * @param {any[]} items
 * @param {string} next
 * @param {(item: any) => HTMLElement} row
 * @param {{testid: string, empty: string, shown: string, onItems?: (items: any[]) => void}} options
 *   shown is the message id of "N older … shown"
 */
function pagedList(token, kind, items, next, row, { testid, empty, shown, onItems }) {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  const list = h('ul', { 'data-testid': testid }, items.map(row));
  if (!next) return list;
  const err = h('p', { class: 'error', role: 'alert' });
  const more = h('button', { type: 'button', 'data-testid': `${testid}-older` }, t('plan.showOlder'));
  more.addEventListener('click', () => busy(more, err, async () => {
    const page = await api('GET', `/api/plans/${token}/${kind}?before=${encodeURIComponent(next)}`);
    const rows = page.items.map(row);
    list.append(...rows);
    if (onItems) onItems(page.items);
    next = page.next;
    if (!next) more.remove();
    announce(t(shown, { Count: rows.length }));
    if (rows.length) {
      rows[0].tabIndex = -1;
      rows[0].focus();
    }
  }));
  return [list, err, h('p', {}, more)];
}

/**
 * named lists a check-in's picks (red flags, areas, feelings) by their words in the catalog,
 * under prefix; an id the catalog does not know yet is shown as it is, without dashes.
 * @param {string} prefix
 * @param {string[]} ids
 */
const named = (prefix, ids, other = (/** @type {string} */ id) => id.replace(/-/g, ' ')) => ids.map((id) => {
  const text = t(`${prefix}.${id}`);
  return text === `${prefix}.${id}` ? other(id) : text;
}).join(', ');

/**
 * latestAnswers is the newest version-2 check-in in the client's words: the three ratings,
 * where (and which side), how it feels, where the leg symptoms went, sitting, the night, the note.
 * @param {any} c a clinic check-in
 * @param {import('./clinic.js').ClinicWords} words
 */
function latestAnswers(c, words) {
  const row = (/** @type {string} */ key, /** @type {Child} */ value, /** @type {string} */ testid) => [h('dt', {}, t(`plan.latest.${key}`)), h('dd', { 'data-testid': testid }, value)];
  const yesNo = (/** @type {boolean | null | undefined} */ v) => (v == null ? t('plan.latest.notAnswered') : t(v ? 'plan.latest.yes' : 'plan.latest.no'));
  return h('div', { class: 'card', 'data-testid': 'latest' },
    h('p', { class: 'hint' }, t('plan.words.when', { When: when(c.at) })),
    h('dl', { class: 'facts' },
      row('ratings', t('plan.latest.ratingsValue', { Leg: c.legPain, Back: c.backPain, Soreness: c.soreness }), 'latest-ratings'),
      row('where', c.areas && c.areas.length ? words.places(c.areas) : t('plan.latest.notAnswered'), 'latest-where'),
      row('feels', c.feelings && c.feelings.length ? words.choices('feelings', c.feelings) : t('plan.latest.notAnswered'), 'latest-feels'),
      row('leg', c.legChange ? words.choice('legChange', c.legChange) : t('plan.latest.notAnswered'), 'latest-leg'),
      row('sit', c.sitMinutes == null ? t('plan.latest.notAnswered') : minutes(c.sitMinutes), 'latest-sit'),
      row('night', yesNo(c.wokeAtNight), 'latest-night'),
      row('note', c.note ? h('span', { class: 'words' }, t('plan.words.quote', { Note: c.note })) : t('plan.latest.noNote'), 'latest-note')));
}

/**
 * handledText says who handled a flag and when, or that nobody has yet.
 * @param {any} f a flag event
 */
export function handledText(f) {
  if (!f.handled) return t('plan.flags.pending');
  if (f.handledBy && f.handledBy === state.me.id) return t('plan.flags.handledByYou', { When: when(f.handledAt) });
  return f.handledByName ? t('plan.flags.handledBy', { When: when(f.handledAt), Name: f.handledByName }) : t('plan.flags.handled', { When: when(f.handledAt) });
}

/**
 * flagList lists the check-ins that raised a tier, newest first: which tier, when, the signs, and who handled it.
 * @param {any[]} flags
 * @param {import('./clinic.js').ClinicWords} words
 * @param {string} testid
 */
export function flagList(flags, words, testid) {
  return h('ul', { class: 'flags', 'data-testid': testid }, flags.map((f) => h('li', { class: `flag ${f.tier}`, 'data-tier': f.tier },
    h('div', { class: 'top' }, h('span', { class: `badge ${f.tier}` }, t(`tier.${f.tier}`)), ' ', h('span', { class: 'hint' }, when(f.at))),
    h('p', {}, words.flags(f.flags)),
    h('p', { class: f.handled ? 'hint' : 'pending' }, handledText(f)))));
}

/** @param {string} token */
export async function planDetail(token) {
  const [p, series, words] = await Promise.all([api('GET', `/api/plans/${token}`), api('GET', `/api/plans/${token}/series`), clinicWords()]);
  if (location.hash !== `#/plan/${token}`) return; // the therapist went elsewhere meanwhile
  const clinic = p.clinic || { latest: null, flags: [], summaryDue: false };
  const flags = clinic.flags || [];
  const active = !p.endedAt && Date.now() < Date.parse(p.sessionAt) + p.days * 864e5 + 864e5;
  const err = h('p', { class: 'error', role: 'alert' });
  // Alerts count only check-ins received after a therapist last marked them handled (as on the clients list).
  const handledAt = p.alertsHandledAt ? Date.parse(p.alertsHandledAt) : 0;
  const pending = (c) => !handledAt || Date.parse(c.receivedAt || c.at) > handledAt;
  // The server finds the newest unhandled red flag however far back it is; check-ins come newest first.
  const flag = p.pendingRedFlag;
  // Flags raised by version-2 check-ins: the newest not yet handled of each tier.
  const emergency = flags.find((f) => !f.handled && f.tier === 'emergency-now');
  const seeDoctor = flags.find((f) => !f.handled && f.tier === 'see-doctor-soon');
  const latest = p.checkins.find((c) => !c.partial); // a partial one has no soreness
  const sore48 = latest && pending(latest) && latest.soreness >= 7 && Date.parse(latest.at) - Date.parse(p.sessionAt) >= 48 * 36e5;
  const byMe = p.alertsHandledBy === state.me.id;
  const handledNote = handledAt > 0 && h('p', { class: 'muted', role: 'status', 'data-testid': 'alerts-handled' },
    t(byMe ? 'plan.handledByYou' : 'plan.handledByColleague', { When: when(p.alertsHandledAt) }));
  let markHandled = null;
  if (flag || emergency || seeDoctor || sore48) {
    markHandled = h('button', { type: 'button', 'data-testid': 'mark-handled', 'aria-describedby': 'alert-banners' }, t('plan.markHandled'));
    markHandled.addEventListener('click', () => busy(markHandled, err, async () => {
      await api('PATCH', `/api/plans/${token}`, { alertsHandled: true });
      announce(t('plan.markedHandled'));
      planDetail(token);
    }));
  }
  const banners = h('div', { id: 'alert-banners' },
    emergency ? h('div', { class: 'banner red-flag', role: 'alert' }, t('plan.redFlagBanner', { When: when(emergency.at), Flags: words.flags(emergency.flags) }))
      : flag && h('div', { class: 'banner red-flag', role: 'alert' }, t('plan.redFlagBanner', { When: when(flag.at), Flags: named('redflag', flag.redFlags, (id) => words.flags([id])) })),
    seeDoctor && h('div', { class: 'banner see-doctor-soon', role: 'alert' }, t('plan.seeDoctorBanner', { When: when(seeDoctor.at), Flags: words.flags(seeDoctor.flags) })),
    sore48 && h('div', { class: 'banner still-sore' }, t('plan.stillSoreBanner', { Soreness: latest.soreness, Name: p.clientName })));
  const alerts = markHandled
    ? [banners, h('div', { class: 'row' }, markHandled, handledNote && h('span', { class: 'muted' }, t(byMe ? 'plan.lastHandledByYou' : 'plan.lastHandledByColleague', { When: when(p.alertsHandledAt) })))]
    : handledNote;
  // "In their words" grows with the check-ins shown: "Show older" under Check-ins adds to both.
  const hasWords = (c) => c.note || (c.areas || []).length || (c.feelings || []).length;
  // Version-1 areas are ids of the workspace's catalog; version-2 ones an area and a side.
  const areaWords = (areas) => areas.map((a) => (typeof a === 'string' ? named('area', [a], (id) => words.place(id)) : words.place(a))).join(', ');
  const wordRow = (c) => h('li', {},
    h('span', { class: 'hint' }, t('plan.words.when', { When: when(c.at) })), ' ',
    (c.areas || []).length ? `${t('plan.words.where', { Areas: areaWords(c.areas) })} ` : '',
    (c.feelings || []).length ? `${t('plan.words.feels', { Feelings: named('feeling', c.feelings, (id) => words.choice('feelings', id)) })} ` : '',
    c.note ? h('span', { class: 'words' }, t('plan.words.quote', { Note: c.note })) : '');
  const wordList = h('ul', { 'data-testid': 'words' }, p.checkins.filter(hasWords).map(wordRow));
  const wordsBox = h('div', {}, wordList.childElementCount ? wordList : h('p', { class: 'muted' }, p.checkinsNext
    ? t('plan.words.noneRecent')
    : t('plan.words.none')));
  const addWords = (items) => {
    const rows = items.filter(hasWords).map(wordRow);
    wordList.append(...rows);
    if (rows.length && !wordList.isConnected) wordsBox.replaceChildren(wordList);
  };
  // A partial check-in answered only the warning signs (its 0s were never asked).
  const checkinRow = (c) => h('li', c.partial ? { 'data-partial': 'true' } : {}, c.partial
    ? t('plan.checkinRowPartial', { When: when(c.at) })
    : c.legPain != null
      ? t('plan.checkinRowLeg', { When: when(c.at), Leg: c.legPain, Back: c.backPain, Soreness: c.soreness })
      : t('plan.checkinRow', { When: when(c.at), Soreness: c.soreness, Pain: c.pain }),
  (c.redFlags || []).length ? h('strong', { class: 'error' }, ` · ${t('plan.checkinRedFlag', { Flags: named('redflag', c.redFlags, (id) => words.flags([id])) })}`) : '');
  const history = pagedList(token, 'checkins', p.checkins, p.checkinsNext, checkinRow, { testid: 'checkins', empty: t('plan.noneYet'), shown: 'plan.olderCheckinsShown', onItems: addWords });
  // "Make it easier" in the player: which stretches the client stepped down from, and to what.
  const names = new Map([...p.routine.stretches, ...(p.routine.variations || [])].map((st) => [st.id, st.name]));
  const nameOf = (id) => names.get(id) || id.replace(/-/g, ' ');
  const easier = (c) => (c.easierUsed || []).length > 0 && h('span', { class: 'easier-used', 'data-testid': 'easier-used' },
    ` · ${t('plan.madeEasier', { Swaps: c.easierUsed.map((x) => `${nameOf(x.from)} → ${nameOf(x.to)}`).join('; ') })}`);
  const done = pagedList(token, 'completions', p.completions, p.completionsNext, (c) => h('li', {}, t('plan.completionRow', { When: when(c.at), Done: c.done, Count: c.total }), easier(c)),
    { testid: 'completions', empty: t('plan.noneYet'), shown: 'plan.olderSessionsShown' });
  const stretchList = h('ol', { class: 'plan-stretches', 'data-testid': 'plan-stretches' }, p.routine.stretches.map((st) =>
    h('li', {}, st.name, h('span', { class: 'hint' }, ` · ${t(st.perSide ? 'assign.holdRepsPerSide' : 'assign.holdReps', { Hold: st.holdSeconds, Reps: st.reps })}`))));

  const nextAt = h('input', { id: 'next-at', type: 'datetime-local', value: p.nextSessionAt ? localInput(new Date(p.nextSessionAt)) : null });
  const cadence = h('select', { id: 'cadence' }, cadenceOptions(p.cadenceDays));
  const save = h('button', { type: 'button', class: 'primary' }, t('common.save'));
  save.addEventListener('click', () => busy(save, err, async () => {
    await api('PATCH', `/api/plans/${token}`, { nextSessionAt: nextAt.value ? toRFC3339(nextAt.value) : '', cadenceDays: Number(cadence.value) });
    announce(t('common.saved'));
    planDetail(token);
  }));
  const extend = h('button', { type: 'button', 'data-testid': 'extend' }, t('plan.extend', { Count: 7 }));
  extend.addEventListener('click', () => busy(extend, err, async () => { await api('PATCH', `/api/plans/${token}`, { extendDays: 7 }); planDetail(token); }));
  const end = h('button', { type: 'button', class: 'danger', 'data-testid': 'end-plan' }, t('plan.end'));
  end.addEventListener('click', () => {
    if (!confirm(t('plan.endConfirm', { Name: p.clientName }))) return;
    busy(end, err, async () => { await api('POST', `/api/plans/${token}/end`); planDetail(token); });
  });

  // From the day before the next session the summary is what the therapist came for.
  const summaryHref = `#/plan/${token}/summary`;
  const due = clinic.summaryDue && h('div', { class: 'card summary-due', 'data-testid': 'summary-due' },
    h('p', {}, h('strong', {}, t('plan.summaryDue', { When: when(p.nextSessionAt) }))),
    h('a', { href: summaryHref, class: 'btn primary big', 'data-testid': 'open-summary' }, t('plan.openSummary')));

  show(h('h1', {}, p.clientName),
    h('p', { class: 'muted' }, t(active ? 'plan.subtitle' : 'plan.subtitleEnded', { Routine: p.routine.name, Count: p.days })),
    due,
    alerts,
    h('div', { class: 'row' }, !due && h('a', { href: summaryHref, class: 'btn', 'data-testid': 'summary-link' }, t('plan.summaryLink')),
      h('a', { href: `#/qr/${token}`, class: 'btn' }, t('plan.showQR')), printLink(token)),
    h('h2', {}, t('plan.chart.title')), chart(p, series),
    clinic.latest && [h('h2', {}, t('plan.latest.title')), latestAnswers(clinic.latest, words)],
    h('h2', {}, t('plan.flags.title')),
    flags.length ? flagList(flags, words, 'flags') : h('p', { class: 'muted', 'data-testid': 'flags-none' }, t('plan.flags.none')),
    h('h2', {}, t('plan.words.title')), wordsBox,
    h('h2', {}, t('plan.checkins', { Count: p.checkinsTotal })), history,
    h('h2', {}, t('plan.sessions', { Count: p.completionsTotal })), done,
    h('h2', {}, t('plan.stretches')), stretchList,
    h('h2', {}, t('plan.facts.title')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('plan.facts.session')), h('dd', {}, when(p.sessionAt)),
      h('dt', {}, t('plan.facts.nextSession')), h('dd', {}, p.nextSessionAt ? when(p.nextSessionAt) : t('plan.facts.notBooked')),
      h('dt', {}, t('plan.facts.timeZone')), h('dd', {}, p.timeZone),
      p.language && [h('dt', {}, t('plan.facts.language')), h('dd', { lang: p.language }, nativeName(p.language))],
      h('dt', {}, t('plan.facts.notes')), h('dd', {}, p.notes || '—')),
    h('div', { class: 'card' },
      h('label', { for: 'next-at' }, t('plan.facts.nextSession')), nextAt,
      h('label', { for: 'cadence' }, t('common.cadenceLabel')), cadence,
      h('p', {}, save)),
    err,
    h('div', { class: 'row' }, extend, active && end));
}
