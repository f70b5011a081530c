// @ts-check
// The clients list: red flags and "still sore at 48 h" on top until they are marked as handled.
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, api, show, ago } from './workspace.js';

/** @param {any} c a row of GET /api/clients */
function badges(c) {
  const out = [];
  if (c.attention === 'inactive') out.push(h('span', { class: 'badge inactive' }, t('clients.quietDays', { Count: c.inactiveDays })));
  else if (c.attention) out.push(h('span', { class: `badge ${c.attention}` }, t(`clients.attention.${c.attention}`)));
  if (!c.active) out.push(h('span', { class: 'badge ended' }, t('clients.ended')));
  return out;
}

export async function dashboard() {
  const newBtn = h('a', { href: '#/new', class: 'btn primary big', 'data-testid': 'new-plan' }, t('clients.newPlan'));
  show(h('h1', {}, t('clients.title')), newBtn, h('p', { class: 'muted', role: 'status' }, t('common.loading')));
  const list = await api('GET', '/api/clients');
  const rows = list.map((c) => {
    const pct = c.daysSoFar ? Math.round((10 * c.stretchedDays) / c.daysSoFar) : 0;
    const days = { Done: c.stretchedDays, Count: c.daysSoFar };
    return h('li', { class: `card client ${c.attention || ''}`, 'data-testid': 'client-row', 'data-token': c.token },
      h('a', { href: `#/plan/${c.token}` },
        h('div', { class: 'top' }, h('span', { class: 'name' }, c.clientName), h('span', {}, badges(c))),
        h('div', { class: 'meter', role: 'img', 'aria-label': t('clients.stretchedLabel', days) }, h('span', { class: `w${pct}` })),
        h('div', { class: 'hint' },
          [t('clients.stretched', days),
            c.latest ? t('clients.latest', { Soreness: c.latest.soreness, Pain: c.latest.pain }) : t('clients.noCheckin'),
            ago(c.lastActivity),
            state.me.owner && c.therapistId !== state.me.id ? c.therapistName : ''].filter(Boolean).join(' · '))));
  });
  show(h('h1', {}, t('clients.title')), newBtn,
    rows.length ? h('ul', { class: 'clients', 'data-testid': 'clients' }, rows)
      : h('p', { class: 'muted' }, t('clients.empty')));
}
