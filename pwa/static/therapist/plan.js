// @ts-check
// A plan's page: the soreness and pain chart, alerts to mark as handled, check-ins in the
// client's words, completions page by page, and edits (next session, extend, end).
import { h, svg, announce } from '../shared/dom.js';
import { localInput, toRFC3339 } from '../shared/dates.js';
import { state, api, busy, show, when, fmtDay, printLink } from './workspace.js';

/** dots draws one circle per point as a single path, so a long history stays a few DOM nodes. */
const dots = (cls, r, pts) => svg('path', { class: cls, d: pts.map(([cx, cy]) => `M${(cx - r).toFixed(1)},${cy.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join('') });

/** chart draws the plan's series: points are [unix seconds, soreness, pain, red flag 0/1], oldest first. */
function chart(p, series) {
  const pts = series.points;
  if (!pts.length) return h('p', { class: 'muted' }, 'No check-ins yet. The client is asked 24 h and 48 h after the session.');
  const W = 300, H = 130, L = 18, R = 6, T = 8, B = 18;
  const t0 = Date.parse(p.sessionAt);
  const t1 = Math.max(pts[pts.length - 1][0] * 1000, t0 + 48 * 36e5);
  const x = (sec) => L + ((sec * 1000 - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - v / 10) * (H - T - B);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `Soreness and pain over ${series.total} check-ins` });
  for (const v of [0, 5, 10]) g.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }), svg('text', { class: 'axis', x: 2, y: y(v) + 2.5 }, String(v)));
  g.append(svg('text', { class: 'axis', x: L, y: H - 4 }, fmtDay.format(new Date(t0))), svg('text', { class: 'axis', x: W - R - 30, y: H - 4 }, fmtDay.format(new Date(t1))));
  const line = (i, cls) => svg('polyline', { class: cls, points: pts.map((q) => `${x(q[0]).toFixed(1)},${y(q[i]).toFixed(1)}`).join(' ') });
  // A dot per check-in while they can be told apart; red flags always.
  const few = pts.length <= 60;
  g.append(...[line(1, 'sore'), line(2, 'pain'),
    few && dots('dot-sore', 2.5, pts.filter((q) => !q[3]).map((q) => [x(q[0]), y(q[1])])),
    few && dots('dot-pain', 2.5, pts.map((q) => [x(q[0]), y(q[2])])),
    dots('dot-red', 4, pts.filter((q) => q[3]).map((q) => [x(q[0]), y(q[1])]))].filter(Boolean));
  return h('figure', {}, g, h('figcaption', { class: 'legend hint' }, h('span', { class: 'sore' }, '— soreness'), ' ', h('span', { class: 'pain' }, '- - pain'), ' (0–10)'));
}

/**
 * pagedList shows the newest page of a plan's check-ins or completions; "Show older"
 * appends the next page from /api/plans/{token}/{kind} (and hands it to onItems).
 * @param {string} token
 * @param {'checkins' | 'completions'} kind
 * @param {any[]} items
 * @param {string} next
 * @param {(item: any) => HTMLElement} row
 * @param {{testid: string, empty: string, noun: string, onItems?: (items: any[]) => void}} options
 */
function pagedList(token, kind, items, next, row, { testid, empty, noun, onItems }) {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  const list = h('ul', { 'data-testid': testid }, items.map(row));
  if (!next) return list;
  const err = h('p', { class: 'error', role: 'alert' });
  const more = h('button', { type: 'button', 'data-testid': `${testid}-older` }, 'Show older');
  more.addEventListener('click', () => busy(more, err, async () => {
    const page = await api('GET', `/api/plans/${token}/${kind}?before=${encodeURIComponent(next)}`);
    const rows = page.items.map(row);
    list.append(...rows);
    if (onItems) onItems(page.items);
    next = page.next;
    if (!next) more.remove();
    announce(`${rows.length} older ${noun} shown`);
    if (rows.length) {
      rows[0].tabIndex = -1;
      rows[0].focus();
    }
  }));
  return [list, err, h('p', {}, more)];
}

const flagText = { 'leg-weakness': 'leg weakness', 'saddle-numbness': 'numbness in the saddle area', 'bladder-bowel': 'bladder or bowel changes' };

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
  const handledBy = p.alertsHandledBy === state.me.id ? 'you' : 'a colleague';
  const handledNote = handledAt > 0 && h('p', { class: 'muted', role: 'status', 'data-testid': 'alerts-handled' },
    `Alerts handled ${when(p.alertsHandledAt)} by ${handledBy}.`);
  let markHandled = null;
  if (flag || sore48) {
    markHandled = h('button', { type: 'button', 'data-testid': 'mark-handled', 'aria-describedby': 'alert-banners' }, 'Mark as handled');
    markHandled.addEventListener('click', () => busy(markHandled, err, async () => {
      await api('PATCH', `/api/plans/${token}`, { alertsHandled: true });
      announce('Alerts marked as handled');
      planDetail(token);
    }));
  }
  const banners = h('div', { id: 'alert-banners' },
    flag && h('div', { class: 'banner red-flag', role: 'alert' }, `Red flag reported ${when(flag.at)}: ${flag.redFlags.map((f) => flagText[f] || f).join(', ')}. The app told the client to seek urgent care — contact them.`),
    sore48 && h('div', { class: 'banner still-sore' }, `Still sore (${latest.soreness}/10) 48 hours after the session — consider contacting ${p.clientName}.`));
  const alerts = markHandled
    ? [banners, h('div', { class: 'row' }, markHandled, handledNote && h('span', { class: 'muted' }, `Last handled ${when(p.alertsHandledAt)} by ${handledBy}.`))]
    : handledNote;
  // "In their words" grows with the check-ins shown: "Show older" under Check-ins adds to both.
  const hasWords = (c) => c.note || c.areas.length || c.feelings.length;
  const wordRow = (c) => h('li', {},
    h('span', { class: 'hint' }, `${when(c.at)}: `),
    c.areas.length ? `where: ${c.areas.join(', ').replace(/-/g, ' ')}. ` : '',
    c.feelings.length ? `feels: ${c.feelings.join(', ')}. ` : '',
    c.note ? h('span', { class: 'words' }, `“${c.note}”`) : '');
  const words = h('ul', { 'data-testid': 'words' }, p.checkins.filter(hasWords).map(wordRow));
  const wordsBox = h('div', {}, words.childElementCount ? words : h('p', { class: 'muted' }, p.checkinsNext
    ? 'Nothing in the latest check-ins. “Show older” under Check-ins brings earlier ones.'
    : 'Nothing yet. Before the next session the app asks where it hurts and what it feels like.'));
  const addWords = (items) => {
    const rows = items.filter(hasWords).map(wordRow);
    words.append(...rows);
    if (rows.length && !words.isConnected) wordsBox.replaceChildren(words);
  };
  const checkinRow = (c) => h('li', {}, `${when(c.at)} — soreness ${c.soreness}, pain ${c.pain}`, c.redFlags.length ? h('strong', { class: 'error' }, ` · red flag: ${c.redFlags.map((f) => flagText[f] || f).join(', ')}`) : '');
  const history = pagedList(token, 'checkins', p.checkins, p.checkinsNext, checkinRow, { testid: 'checkins', empty: 'None yet.', noun: 'check-ins', onItems: addWords });
  const done = pagedList(token, 'completions', p.completions, p.completionsNext, (c) => h('li', {}, `${when(c.at)} — ${c.done}/${c.total} stretches`),
    { testid: 'completions', empty: 'None yet.', noun: 'stretch sessions' });

  const nextAt = h('input', { id: 'next-at', type: 'datetime-local', value: p.nextSessionAt ? localInput(new Date(p.nextSessionAt)) : null });
  const cadence = h('select', { id: 'cadence' }, [[7, 'Weekly (acute)'], [14, 'Every 2 weeks'], [21, 'Every 3 weeks'], [28, 'Every 4 weeks'], [0, 'No booking reminder']]
    .map(([v, t]) => h('option', { value: String(v), selected: p.cadenceDays === v }, t)));
  const save = h('button', { type: 'button', class: 'primary' }, 'Save');
  save.addEventListener('click', () => busy(save, err, async () => {
    await api('PATCH', `/api/plans/${token}`, { nextSessionAt: nextAt.value ? toRFC3339(nextAt.value) : '', cadenceDays: Number(cadence.value) });
    announce('Saved');
    planDetail(token);
  }));
  const extend = h('button', { type: 'button', 'data-testid': 'extend' }, 'Extend 7 days');
  extend.addEventListener('click', () => busy(extend, err, async () => { await api('PATCH', `/api/plans/${token}`, { extendDays: 7 }); planDetail(token); }));
  const end = h('button', { type: 'button', class: 'danger', 'data-testid': 'end-plan' }, 'End plan');
  end.addEventListener('click', () => {
    if (!confirm(`End ${p.clientName}’s plan? Reminders stop; the client can still open their stretches.`)) return;
    busy(end, err, async () => { await api('POST', `/api/plans/${token}/end`); planDetail(token); });
  });

  show(h('h1', {}, p.clientName),
    h('p', { class: 'muted' }, `${p.routine.name} · ${active ? `${p.days}-day plan` : 'ended'}`),
    alerts,
    h('div', { class: 'row' }, h('a', { href: `#/qr/${token}`, class: 'btn' }, 'Show QR / link'), printLink(token)),
    h('h2', {}, 'Soreness and pain'), chart(p, series),
    h('h2', {}, 'In their words'), wordsBox,
    h('h2', {}, `Check-ins (${p.checkinsTotal})`), history,
    h('h2', {}, `Stretch sessions (${p.completionsTotal})`), done,
    h('h2', {}, 'Plan'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Session'), h('dd', {}, when(p.sessionAt)),
      h('dt', {}, 'Next session'), h('dd', {}, p.nextSessionAt ? when(p.nextSessionAt) : 'not booked'),
      h('dt', {}, 'Time zone'), h('dd', {}, p.timeZone),
      h('dt', {}, 'Notes'), h('dd', {}, p.notes || '—')),
    h('div', { class: 'card' },
      h('label', { for: 'next-at' }, 'Next session'), nextAt,
      h('label', { for: 'cadence' }, 'If nothing is booked, remind them to book'), cadence,
      h('p', {}, save)),
    err,
    h('div', { class: 'row' }, extend, active && end));
}
