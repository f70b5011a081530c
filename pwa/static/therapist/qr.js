// @ts-check
// The plan's QR code and link, to show the client at the desk.
import { h, announce } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { state, api, show, printLink } from './workspace.js';

/** @param {string} token */
export async function qrScreen(token) {
  let info = state.lastCreated && state.lastCreated.token === token ? state.lastCreated : null;
  if (!info) {
    const p = await api('GET', `/api/plans/${token}`);
    info = { token, url: p.url, name: p.clientName };
  }
  const img = h('img', { class: 'qr', src: `/api/plans/${token}/qr`, alt: t('qr.alt', { Name: info.name }), width: '420', height: '420', 'data-testid': 'qr' });
  const link = h('input', { class: 'link', readonly: true, value: info.url, 'aria-label': t('qr.linkLabel'), 'data-testid': 'plan-link' });
  const copy = h('button', { type: 'button', 'data-testid': 'copy-link' }, t('qr.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(info.url);
    } catch {
      link.select();
      document.execCommand('copy');
    }
    copy.textContent = t('qr.copied');
    announce(t('qr.copiedAnnounce'));
  });
  const share = navigator.share && h('button', { type: 'button', class: 'primary' }, t('qr.share'));
  if (share) {
    share.addEventListener('click', () => navigator.share({ title: t('qr.shareTitle'), text: t('qr.shareText', { Name: info.name }), url: info.url }).catch(() => {}));
  }
  show(h('h1', {}, t('qr.title', { Name: info.name })),
    h('p', { class: 'hint' }, t('qr.hint')),
    h('div', { class: 'qr-wrap' }, img),
    h('p', {}, link),
    h('div', { class: 'row' }, copy, share, printLink(token), h('a', { href: `#/plan/${token}`, class: 'btn' }, t('qr.details')), h('a', { href: '#/', class: 'btn' }, t('qr.done'))));
}
