// @ts-check
// The plan's QR code and link, to show the client at the desk.
import { h, announce } from '../shared/dom.js';
import { state, api, show, printLink } from './workspace.js';

/** @param {string} token */
export async function qrScreen(token) {
  let info = state.lastCreated && state.lastCreated.token === token ? state.lastCreated : null;
  if (!info) {
    const p = await api('GET', `/api/plans/${token}`);
    info = { token, url: p.url, name: p.clientName };
  }
  const img = h('img', { class: 'qr', src: `/api/plans/${token}/qr`, alt: `QR code of ${info.name}’s plan link`, width: '420', height: '420', 'data-testid': 'qr' });
  const link = h('input', { class: 'link', readonly: true, value: info.url, 'aria-label': 'Plan link', 'data-testid': 'plan-link' });
  const copy = h('button', { type: 'button', 'data-testid': 'copy-link' }, 'Copy link');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(info.url);
    } catch {
      link.select();
      document.execCommand('copy');
    }
    copy.textContent = 'Copied ✓';
    announce('Link copied');
  });
  const share = navigator.share && h('button', { type: 'button', class: 'primary' }, 'Share…');
  if (share) {
    share.addEventListener('click', () => navigator.share({ title: 'Your aftercare plan', text: `Hi ${info.name}, here are your stretches and reminders after today’s session:`, url: info.url }).catch(() => {}));
  }
  show(h('h1', {}, `Scan this, ${info.name}`),
    h('p', { class: 'hint' }, 'Point the phone’s camera at the code, then tap the link that appears. Add it to the Home Screen for reminders.'),
    h('div', { class: 'qr-wrap' }, img),
    h('p', {}, link),
    h('div', { class: 'row' }, copy, share, printLink(token), h('a', { href: `#/plan/${token}`, class: 'btn' }, 'Plan details'), h('a', { href: '#/', class: 'btn' }, 'Done')));
}
