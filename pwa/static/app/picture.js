// @ts-check
// The stretch picture in the player. Each picture is our own SVG: a figure that
// moves from the start position into the held one and stays there, plus both
// positions side by side (shown instead with reduced motion, and in print).
//
// A therapist's own stretch may show an uploaded photo instead: that is an <img>.
// Our SVG is placed inline, not as an <img>, so the timer can drive it: begin from
// the start position at each lead-in, ease back out between repeats, pause and
// resume with the timer. The page's CSP allows no inline styles, so the file's
// own <style> is dropped here and style.css carries the same rules (.fig).
import { h } from '../shared/dom.js';
import { t, has } from '../shared/i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
const texts = new Map(); // url → Promise<string | null>

function load(url) {
  if (!texts.has(url)) {
    const text = fetch(url).then((r) => (r.ok ? r.text() : null)).catch(() => null);
    texts.set(url, text);
    text.then((t) => { if (t === null) texts.delete(url); }); // offline now: try again next time
  }
  return texts.get(url);
}

function parse(text) {
  // Cut the <style> out before parsing: even a parsed-only document counts as
  // inline style for the page's CSP.
  const bare = text.replace(/<style[\s>][\s\S]*?<\/style>/g, '');
  const svg = new DOMParser().parseFromString(bare, 'image/svg+xml').documentElement;
  if (svg.namespaceURI !== SVG_NS || svg.localName !== 'svg') return null;
  svg.querySelectorAll('style, script, foreignObject').forEach((n) => n.remove());
  // The labels of the two positions (shown side by side with reduced motion) are written
  // in English by the generator: say them in the app's language.
  for (const label of svg.querySelectorAll('.fig-l')) {
    const id = `picture.${(label.textContent || '').trim()}`;
    if (has(id)) label.textContent = t(id);
  }
  return document.importNode(svg, true);
}

/** name labels the picture for screen readers and as its tooltip (its <title>, English in the file). */
function name(svg, label) {
  svg.setAttribute('aria-label', label);
  const title = svg.querySelector('title');
  if (title) title.textContent = label;
}

/** stretchPicture returns the picture's box and the controls the player drives. */
export function stretchPicture() {
  const box = h('div', { class: 'stretch-img', 'data-testid': 'stretch-picture' });
  let url = '';
  let svg = null;
  let move = 'start';
  let paused = false;
  let shown = 0; // which show() call the picture on screen answers

  /** sync puts the animation where move says and runs or stops it. */
  function sync() {
    if (!svg || typeof svg.setCurrentTime !== 'function') return;
    const at = { release: 0, start: Number(svg.dataset.start) || 0, held: Number(svg.dataset.held) || 0 }[move];
    svg.setCurrentTime(at);
    if (paused || reducedMotion.matches) svg.pauseAnimations();
    else svg.unpauseAnimations();
  }

  return {
    node: box,
    /**
     * show puts the picture at next on screen, labelled label, and moves it:
     * 'start' eases from the start position into the held one, 'release' first
     * eases back out of the held position, 'held' shows the held position.
     */
    async show(next, label, how) {
      const call = ++shown;
      box.hidden = !next;
      if (!next) return;
      move = how === 'release' && next !== url ? 'start' : how;
      if (next.startsWith('/img/custom/')) {
        // A therapist's own photo: a still picture, kept offline by the service worker.
        if (next !== url || svg) {
          box.replaceChildren(h('img', { src: next, alt: label, class: 'photo', decoding: 'async' }));
          svg = null;
          url = next;
        }
        box.querySelector('img')?.setAttribute('alt', label);
        return;
      }
      if (next === url && svg) {
        name(svg, label);
        sync();
        return;
      }
      url = next;
      const text = await load(next);
      if (call !== shown) return; // the player moved on while this loaded
      const fresh = text && parse(text);
      if (!fresh) {
        box.replaceChildren();
        box.hidden = true;
        svg = null;
        url = '';
        return;
      }
      name(fresh, label);
      box.replaceChildren(fresh);
      svg = fresh;
      sync();
    },
    /** pause stops (true) or resumes (false) the movement with the timer. */
    pause(on) {
      paused = on;
      if (!svg || typeof svg.pauseAnimations !== 'function') return;
      if (paused || reducedMotion.matches) svg.pauseAnimations();
      else svg.unpauseAnimations();
    },
  };
}
