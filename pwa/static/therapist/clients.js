// @ts-check
// The clients list: warning signs (emergency first, then see a doctor), "still sore at 48 h" and
// legs getting worse on top until they are marked as handled, then running plans gone quiet,
// then the others (the server's order). A studio keeps plans for years, so the list
// comes a page at a time (GET /api/clients?cursor=…), the next as the therapist scrolls
// (IntersectionObserver, with a "Load more" button where it is missing), with a name search
// and status filters.
import { h, announce } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, api, show, ago } from './workspace.js';

/** The filters, as ?status= asks for them ('' is the server's default: needs attention and active). */
const filters = ['', 'attention', 'active', 'ended'];

/** What the list shows, kept while the therapist looks at a plan and comes back. */
const view = { q: '', status: '' };

/** SEARCH_DELAY_MS waits for typing to pause before asking the server. */
export const SEARCH_DELAY_MS = 250;

/** @param {any} c a row of GET /api/clients */
function badges(c) {
  const out = [];
  if (c.attention === 'inactive') out.push(h('span', { class: 'badge inactive' }, t('clients.quietDays', { Count: c.inactiveDays })));
  else if (c.attention) out.push(h('span', { class: `badge ${c.attention}` }, t(`clients.attention.${c.attention}`)));
  if (!c.active) out.push(h('span', { class: 'badge ended' }, t('clients.ended')));
  return out;
}

/**
 * latestText is the newest check-in's numbers: leg and back pain and soreness (version 2), or
 * soreness and pain (version 1).
 * @param {any} l
 */
function latestText(l) {
  if (!l) return t('clients.noCheckin');
  if (l.legPain != null) return t('clients.latestLeg', { Leg: l.legPain, Back: l.backPain, Soreness: l.soreness });
  return t('clients.latest', { Soreness: l.soreness, Pain: l.pain });
}

/** @param {any} c a row of GET /api/clients */
function row(c) {
  const pct = c.daysSoFar ? Math.round((10 * c.stretchedDays) / c.daysSoFar) : 0;
  const days = { Done: c.stretchedDays, Count: c.daysSoFar };
  return h('li', { class: `card client ${c.attention || ''}`, 'data-testid': 'client-row', 'data-token': c.token },
    h('a', { href: `#/plan/${c.token}` },
      h('div', { class: 'top' }, h('span', { class: 'name' }, c.clientName), h('span', { class: 'badges' }, badges(c))),
      h('div', { class: 'meter', role: 'img', 'aria-label': t('clients.stretchedLabel', days) }, h('span', { class: `w${pct}` })),
      h('div', { class: 'hint' },
        [t('clients.stretched', days),
          latestText(c.latest),
          ago(c.lastActivity),
          state.me.owner && c.therapistId !== state.me.id ? c.therapistName : ''].filter(Boolean).join(' · '))));
}

/**
 * clientsQuery is the query string of one page.
 * @param {{q: string, status: string}} v
 * @param {string} cursor
 */
export function clientsQuery(v, cursor) {
  const p = new URLSearchParams();
  if (v.q.trim()) p.set('q', v.q.trim());
  if (v.status) p.set('status', v.status);
  if (cursor) p.set('cursor', cursor);
  const s = p.toString();
  return '/api/clients' + (s ? `?${s}` : '');
}

export async function dashboard() {
  const newBtn = h('a', { href: '#/new', class: 'btn primary big', 'data-testid': 'new-plan' }, t('clients.newPlan'));
  const search = h('input', { id: 'client-search', type: 'search', value: view.q, placeholder: t('clients.search.placeholder'), autocomplete: 'off', maxlength: '40', 'data-testid': 'client-search' });
  const list = h('ul', { class: 'clients', 'data-testid': 'clients' });
  const status = h('p', { class: 'muted', role: 'status' }, t('common.loading'));
  const more = h('button', { type: 'button', class: 'more', hidden: true, 'data-testid': 'load-more' }, t('clients.more'));
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const chips = filters.map((value) => {
    const b = h('button', { type: 'button', class: 'chip', 'aria-pressed': String(view.status === value), 'data-status': value }, t(`clients.filter.${value || 'default'}`));
    b.addEventListener('click', () => {
      if (view.status === value) return;
      view.status = value;
      for (const c of chips) c.setAttribute('aria-pressed', String(c === b));
      restart();
    });
    return b;
  });

  let next = '';
  let loading = false;
  let generation = 0; // a new search or filter drops the answers still on their way
  let shown = 0;

  async function load() {
    if (loading) return;
    loading = true;
    more.disabled = true;
    const gen = generation;
    const first = shown === 0;
    try {
      const page = await api('GET', clientsQuery(view, next));
      if (gen !== generation) return;
      list.append(...page.items.map(row));
      shown += page.items.length;
      next = page.next || '';
      more.hidden = !next;
      const q = view.q.trim();
      if (shown === 0) {
        status.textContent = q ? t('clients.search.none', { Query: q })
          : view.status ? t(`clients.none.${view.status}`) : t('clients.empty');
      } else {
        status.textContent = t(next ? 'clients.shownMore' : 'clients.shown', { Count: shown });
      }
      if (first && q) announce(status.textContent);
    } catch (e) {
      if (gen === generation) status.textContent = e instanceof Error ? e.message : String(e);
      more.hidden = !next;
    } finally {
      if (gen === generation) {
        loading = false;
        more.disabled = false;
      }
    }
    // A tall screen may show the sentinel without a scroll: keep filling it.
    if (gen === generation && next && observer && sentinelVisible()) load();
  }

  function restart() {
    generation++;
    loading = false;
    next = '';
    shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = t('common.loading');
    load();
  }

  const sentinelVisible = () => {
    const r = sentinel.getBoundingClientRect();
    return sentinel.isConnected && r.top < window.innerHeight + 400 && r.bottom > 0;
  };
  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting) && next) load(); }, { rootMargin: '400px 0px' })
    : null;
  more.addEventListener('click', () => load());

  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      if (search.value.trim() === view.q.trim()) return;
      view.q = search.value;
      restart();
    }, SEARCH_DELAY_MS);
  });

  show(h('h1', {}, t('clients.title')), newBtn, h('p', { class: 'muted', role: 'status' }, t('common.loading')));
  await load();
  if (!/^#?\/?$/.test(location.hash)) return; // the therapist went elsewhere meanwhile
  show(h('h1', {}, t('clients.title')), newBtn,
    h('div', { class: 'list-tools' },
      h('label', { for: 'client-search' }, t('clients.search.label')), search,
      h('div', { class: 'chips', role: 'group', 'aria-label': t('clients.filter.label') }, chips)),
    list, status, more, sentinel);
  // show() focuses the screen; the search box stays where the therapist left it.
  if (view.q) search.focus();
  if (observer) observer.observe(sentinel);
}
