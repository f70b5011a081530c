// @ts-check
// A plan's page: the soreness and pain chart, alerts to mark as handled, check-ins in the
// client's words, completions page by page, and edits (next session, extend, end).
import { h, svg, announce } from '../shared/dom.js';
import { localInput, toRFC3339 } from '../shared/dates.js';
import { t, nativeName } from '../shared/i18n.js';
import { state, api, busy, show, when, day, printLink, cadenceOptions } from './workspace.js';

/** dots draws one circle per point as a single path, so a long history stays a few DOM nodes. */
const dots = (cls, r, pts) => svg('path', { class: cls, d: pts.map(([cx, cy]) => `M${(cx - r).toFixed(1)},${cy.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join('') });

/** chart draws the plan's series: points are [unix seconds, soreness, pain, red flag 0/1], oldest first. */
function chart(p, series) {
  const pts = series.points;
  if (!pts.length) return h('p', { class: 'muted' }, t('plan.chart.empty'));
  const W = 300, H = 130, L = 18, R = 6, T = 8, B = 18;
  const t0 = Date.parse(p.sessionAt);
  const t1 = Math.max(pts[pts.length - 1][0] * 1000, t0 + 48 * 36e5);
  const x = (sec) => L + ((sec * 1000 - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - v / 10) * (H - T - B);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': t('plan.chart.label', { Count: series.total }) });
  for (const v of [0, 5, 10]) g.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }), svg('text', { class: 'axis', x: 2, y: y(v) + 2.5 }, String(v)));
  g.append(svg('text', { class: 'axis', x: L, y: H - 4 }, day(t0)), svg('text', { class: 'axis', x: W - R, y: H - 4, 'text-anchor': 'end' }, day(t1)));
  const line = (i, cls) => svg('polyline', { class: cls, points: pts.map((q) => `${x(q[0]).toFixed(1)},${y(q[i]).toFixed(1)}`).join(' ') });
  // A dot per check-in while they can be told apart; red flags always.
  const few = pts.length <= 60;
  g.append(...[line(1, 'sore'), line(2, 'pain'),
    few && dots('dot-sore', 2.5, pts.filter((q) => !q[3]).map((q) => [x(q[0]), y(q[1])])),
    few && dots('dot-pain', 2.5, pts.map((q) => [x(q[0]), y(q[2])])),
    dots('dot-red', 4, pts.filter((q) => q[3]).map((q) => [x(q[0]), y(q[1])]))].filter(Boolean));
  return h('figure', {}, g, h('figcaption', { class: 'legend hint' }, h('span', { class: 'sore' }, `— ${t('plan.chart.soreness')}`), ' ', h('span', { class: 'pain' }, `- - ${t('plan.chart.pain')}`), ' (0–10)'));
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
const named = (prefix, ids) => ids.map((id) => {
  const text = t(`${prefix}.${id}`);
  return text === `${prefix}.${id}` ? id.replace(/-/g, ' ') : text;
}).join(', ');

/** @param {string} token */
export async function planDetail(token) {
  const [p, series] = await Promise.all([api('GET', `/api/plans/${token}`), api('GET', `/api/plans/${token}/series`)]);
  const active = !p.endedAt && Date.now() < Date.parse(p.sessionAt) + p.days * 864e5 + 864e5;
  const err = h('p', { class: 'error', role: 'alert' });
  // Alerts count only check-ins received after a therapist last marked them handled (as on the clients list).
  const handledAt = p.alertsHandledAt ? Date.parse(p.alertsHandledAt) : 0;
  const pending = (c) => !handledAt || Date.parse(c.receivedAt || c.at) > handledAt;
  // The server finds the newest unhandled red flag however far back it is; check-ins come newest first.
  const flag = p.pendingRedFlag;
  const latest = p.checkins[0];
  const sore48 = latest && pending(latest) && latest.soreness >= 7 && Date.parse(latest.at) - Date.parse(p.sessionAt) >= 48 * 36e5;
  const byMe = p.alertsHandledBy === state.me.id;
  const handledNote = handledAt > 0 && h('p', { class: 'muted', role: 'status', 'data-testid': 'alerts-handled' },
    t(byMe ? 'plan.handledByYou' : 'plan.handledByColleague', { When: when(p.alertsHandledAt) }));
  let markHandled = null;
  if (flag || sore48) {
    markHandled = h('button', { type: 'button', 'data-testid': 'mark-handled', 'aria-describedby': 'alert-banners' }, t('plan.markHandled'));
    markHandled.addEventListener('click', () => busy(markHandled, err, async () => {
      await api('PATCH', `/api/plans/${token}`, { alertsHandled: true });
      announce(t('plan.markedHandled'));
      planDetail(token);
    }));
  }
  const banners = h('div', { id: 'alert-banners' },
    flag && h('div', { class: 'banner red-flag', role: 'alert' }, t('plan.redFlagBanner', { When: when(flag.at), Flags: named('redflag', flag.redFlags) })),
    sore48 && h('div', { class: 'banner still-sore' }, t('plan.stillSoreBanner', { Soreness: latest.soreness, Name: p.clientName })));
  const alerts = markHandled
    ? [banners, h('div', { class: 'row' }, markHandled, handledNote && h('span', { class: 'muted' }, t(byMe ? 'plan.lastHandledByYou' : 'plan.lastHandledByColleague', { When: when(p.alertsHandledAt) })))]
    : handledNote;
  // "In their words" grows with the check-ins shown: "Show older" under Check-ins adds to both.
  const hasWords = (c) => c.note || c.areas.length || c.feelings.length;
  const wordRow = (c) => h('li', {},
    h('span', { class: 'hint' }, t('plan.words.when', { When: when(c.at) })), ' ',
    c.areas.length ? `${t('plan.words.where', { Areas: named('area', c.areas) })} ` : '',
    c.feelings.length ? `${t('plan.words.feels', { Feelings: named('feeling', c.feelings) })} ` : '',
    c.note ? h('span', { class: 'words' }, t('plan.words.quote', { Note: c.note })) : '');
  const words = h('ul', { 'data-testid': 'words' }, p.checkins.filter(hasWords).map(wordRow));
  const wordsBox = h('div', {}, words.childElementCount ? words : h('p', { class: 'muted' }, p.checkinsNext
    ? t('plan.words.noneRecent')
    : t('plan.words.none')));
  const addWords = (items) => {
    const rows = items.filter(hasWords).map(wordRow);
    words.append(...rows);
    if (rows.length && !words.isConnected) wordsBox.replaceChildren(words);
  };
  const checkinRow = (c) => h('li', {}, t('plan.checkinRow', { When: when(c.at), Soreness: c.soreness, Pain: c.pain }),
    c.redFlags.length ? h('strong', { class: 'error' }, ` · ${t('plan.checkinRedFlag', { Flags: named('redflag', c.redFlags) })}`) : '');
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

  show(h('h1', {}, p.clientName),
    h('p', { class: 'muted' }, t(active ? 'plan.subtitle' : 'plan.subtitleEnded', { Routine: p.routine.name, Count: p.days })),
    alerts,
    h('div', { class: 'row' }, h('a', { href: `#/qr/${token}`, class: 'btn' }, t('plan.showQR')), printLink(token)),
    h('h2', {}, t('plan.chart.title')), chart(p, series),
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
