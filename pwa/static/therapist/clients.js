// @ts-check
// The clients list: red flags and "still sore at 48 h" on top until they are marked as handled.
import { h } from '../shared/dom.js';
import { ago } from '../shared/dates.js';
import { state, api, show } from './workspace.js';

const attentionText = { 'red-flag': 'Red flag', 'still-sore': 'Still sore at 48 h', inactive: 'Quiet' };

export async function dashboard() {
  const newBtn = h('a', { href: '#/new', class: 'btn primary big', 'data-testid': 'new-plan' }, '+ New plan');
  show(h('h1', {}, 'Clients'), newBtn, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const list = await api('GET', '/api/clients');
  const rows = list.map((c) => {
    const pct = c.daysSoFar ? Math.round((10 * c.stretchedDays) / c.daysSoFar) : 0;
    const badges = [];
    if (c.attention) badges.push(h('span', { class: `badge ${c.attention}` }, c.attention === 'inactive' ? `Quiet ${c.inactiveDays} days` : attentionText[c.attention]));
    if (!c.active) badges.push(h('span', { class: 'badge ended' }, 'Ended'));
    return h('li', { class: `card client ${c.attention || ''}`, 'data-testid': 'client-row', 'data-token': c.token },
      h('a', { href: `#/plan/${c.token}` },
        h('div', { class: 'top' }, h('span', { class: 'name' }, c.clientName), h('span', {}, badges)),
        h('div', { class: 'meter', role: 'img', 'aria-label': `Stretched ${c.stretchedDays} of ${c.daysSoFar} days` }, h('span', { class: `w${pct}` })),
        h('div', { class: 'hint' },
          `Stretched ${c.stretchedDays}/${c.daysSoFar} days`,
          c.latest ? ` · Soreness ${c.latest.soreness} · Pain ${c.latest.pain}` : ' · no check-in yet',
          ` · ${ago(c.lastActivity)}`,
          state.me.owner && c.therapistId !== state.me.id ? ` · ${c.therapistName}` : '')));
  });
  show(h('h1', {}, 'Clients'), newBtn,
    rows.length ? h('ul', { class: 'clients', 'data-testid': 'clients' }, rows)
      : h('p', { class: 'muted' }, 'No clients yet. Tap “New plan” after a session: pick a routine, type the client’s first name, and show them the QR code.'));
}
