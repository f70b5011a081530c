// @ts-check
// The studio as its client meets it: its name and logo above every screen, its accent colour
// in place of the app's own (checked against WCAG AA by the server for both themes), and the
// way to book the next session: its booking page, or a call to the studio.
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';

/**
 * @typedef {object} Studio
 * @property {string} name
 * @property {string} accent the accent on the light theme (buttons, markers)
 * @property {string} accentText accent text on the light theme
 * @property {string} accentSoft the soft accent background on the light theme
 * @property {string} accentDark the accent on the dark theme
 * @property {string} accentDarkText
 * @property {string} accentDarkSoft
 * @property {string} bookingUrl an https page, or ""
 * @property {string} phone as written, or ""
 * @property {string} tel the phone as a tel: link, or ""
 * @property {string} address
 * @property {string} logo the logo's URL, or ""
 */

const HEX = /^#[0-9a-f]{6}$/i;
const dark = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
/** @type {Studio | null} */
let applied = null;

/**
 * accentProperties are the custom properties the stylesheet's accent comes from, for a theme.
 * @param {Partial<Studio>} st
 * @param {boolean} isDark
 * @returns {[string, string][]}
 */
export function accentProperties(st, isDark) {
  const [accent, text, soft] = isDark ? [st.accentDark, st.accentDarkText, st.accentDarkSoft] : [st.accent, st.accentText, st.accentSoft];
  /** @type {[string, string][]} */
  const out = [];
  if (accent && HEX.test(accent)) out.push(['--primary', accent]);
  if (text && HEX.test(text)) out.push(['--primary-text', text]);
  if (soft && HEX.test(soft)) out.push(['--primary-soft', soft]);
  return out;
}

function paint() {
  if (!applied) return;
  const style = document.documentElement.style;
  // CSSOM, which the CSP allows (it forbids only inline style attributes and elements).
  for (const [k, v] of accentProperties(applied, !!dark?.matches)) style.setProperty(k, v);
}

/**
 * applyStudio puts the studio's accent on the page, now and whenever the theme changes.
 * @param {Studio | undefined} st
 */
export function applyStudio(st) {
  if (!st) return;
  const first = !applied;
  applied = st;
  paint();
  if (first && dark) dark.addEventListener('change', paint);
  // "Add to Home Screen" on an iPhone reads these from the page, not from the manifest.
  const title = document.querySelector('meta[name=apple-mobile-web-app-title]');
  if (title && st.name) title.setAttribute('content', st.name);
  const icon = document.querySelector('link[rel=apple-touch-icon]');
  const version = st.logo.split('?v=')[1];
  if (icon && version) icon.setAttribute('href', `/studio/icon-192.png?v=${version}`);
}

/**
 * studioBar is the studio's name (and logo) above the screens, or null without a name.
 * @param {Studio | undefined} st
 */
export function studioBar(st) {
  if (!st || !st.name) return null;
  return h('header', { class: 'studio-bar', 'data-testid': 'studio-bar' },
    st.logo && h('img', { src: st.logo, alt: '', width: '28', height: '28' }),
    h('span', { class: 'studio-name' }, st.name));
}

/**
 * bookingAction is how the client books the next session: the studio's booking page, or a
 * call to the studio; null when the studio gave neither.
 * @param {Studio | undefined} st
 */
export function bookingAction(st) {
  if (st && st.bookingUrl && st.bookingUrl.startsWith('https://')) {
    return h('a', { href: st.bookingUrl, class: 'btn btn-primary', target: '_blank', rel: 'noopener', 'data-testid': 'book-online' }, t('studio.book'));
  }
  if (st && st.tel && st.phone) {
    return h('p', {}, h('a', { href: st.tel, class: 'btn btn-primary', 'data-testid': 'call-studio' }, t('studio.call', { Phone: st.phone })));
  }
  return null;
}
