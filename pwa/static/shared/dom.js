// @ts-check
// Building the page, for the client app and the therapist workspace alike: elements from
// a tag, attributes and children, and a live region for screen readers. Text is always set
// as text (never innerHTML), so nothing a client or a therapist typed can inject markup.

/** @typedef {Record<string, any> | null | undefined} Props */

/**
 * h('p', {class: 'x', onclick: fn}, 'text', child) builds an element. Props that are null,
 * undefined or false are left out, true sets an empty attribute, on… adds a listener and
 * text sets the text. Children are flattened; null, undefined and false are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} kids
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  setProps(el, props);
  for (const kid of /** @type {unknown[]} */ (kids).flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

/**
 * svg('circle', {r: 5}) builds an SVG element.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Node | string)} kids
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, props, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(el, props);
  el.append(...kids);
  return el;
}

/**
 * @param {Element} el
 * @param {Props} props
 */
function setProps(el, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}

/**
 * announce speaks a short message through the polite live region (#live, made if missing).
 * @param {string} text
 */
export function announce(text) {
  let live = document.getElementById('live');
  if (!live) {
    live = h('div', { id: 'live', class: 'vh', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.append(live);
  }
  const region = live;
  region.textContent = '';
  // A fresh text node after a tick makes screen readers repeat identical messages.
  setTimeout(() => { region.textContent = text; }, 50);
}
