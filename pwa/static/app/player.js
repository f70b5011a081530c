// @ts-check
// The guided player: one stretch at a time, a lead-in before every hold, a large
// countdown, spoken cues, vibration at the end of each hold and a screen wake lock.
//
// Time is measured from timestamps (performance.now), never by counting timer ticks,
// so the countdown stays right when the phone throttles or sleeps the page.
// Order for stretches done on both sides: each rep does the left side, then the right
// ("Switch sides" between them), then the next rep.
import { h, svg, announce } from '../shared/dom.js';
import { send, uuid } from './outbox.js';
import { plural } from './text.js';
import { VOICE_KEY, canSpeak, voiceOn, speak } from './speech.js';
import { stretchPicture } from './picture.js';

const RING = 2 * Math.PI * 54; // circumference of the countdown ring (r = 54)
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

const LEAD_SECONDS = 5;
const sideName = (side) => (side === 'left' ? 'Left side' : side === 'right' ? 'Right side' : '');

/**
 * @typedef {object} Phase
 * @property {'lead' | 'hold'} kind a lead-in (get ready) or a hold
 * @property {'position' | 'rest' | 'switch'} [lead] what the lead-in is for
 * @property {'left' | 'right' | null} side
 * @property {number} rep which repeat (1-based)
 * @property {number} reps how many repeats
 * @property {number} secs how long the phase lasts
 */

/**
 * phasesOf lists lead-ins and holds of one stretch in the order they are done.
 * @param {{reps?: number, holdSeconds?: number, perSide?: boolean}} stretch
 * @returns {Phase[]}
 */
export function phasesOf(stretch) {
  const reps = Math.max(1, stretch.reps || 1);
  const hold = Math.max(1, stretch.holdSeconds || 30);
  /** @type {('left' | 'right' | null)[]} */
  const sides = stretch.perSide ? ['left', 'right'] : [null];
  /** @type {Phase[]} */
  const phases = [];
  for (let rep = 1; rep <= reps; rep++) {
    sides.forEach((side, i) => {
      const lead = i > 0 ? 'switch' : rep === 1 ? 'position' : 'rest';
      phases.push({ kind: 'lead', lead, side, rep, reps, secs: LEAD_SECONDS });
      phases.push({ kind: 'hold', side, rep, reps, secs: hold });
    });
  }
  return phases;
}

const LEAD_LABEL = { position: 'Get into position', rest: 'Relax, then again', switch: 'Switch sides' };

/**
 * formatSeconds shows the countdown: "45", then "1:05" from a minute on.
 * @param {number} s
 */
export function formatSeconds(s) {
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : String(s);
}

/** renderPlayer builds the player screen starting at stretch index start (0-based). */
export function renderPlayer(ctx, start) {
  const { plan, token } = ctx;
  const routine = plan.routine || {};
  const stretches = routine.stretches || [];
  const done = new Set();
  let si = Math.min(Math.max(0, start), Math.max(0, stretches.length - 1));
  let phases = [];
  let pi = 0;
  let t0 = 0; // when the current phase started (performance.now)
  let pausedAt = null; // performance.now when paused, else null
  let halfwaySaid = false;
  let shown = '';
  let finished = false;
  let lock = null;

  const root = h('section', { class: 'player', 'aria-label': 'Guided stretches' });

  // Parts rebuilt for each stretch.
  const counter = h('p', { class: 'player-count' });
  const picture = stretchPicture();
  const title = h('h1', { 'data-testid': 'stretch-name', tabindex: '-1' });
  const meta = h('p', { class: 'phase-meta' });
  const details = h('div', { class: 'stretch-details' });

  // The timer.
  const arc = svg('circle', { class: 'ring-arc', cx: 60, cy: 60, r: 54, 'stroke-dasharray': RING.toFixed(2) });
  const ring = svg('svg', { class: 'ring', viewBox: '0 0 120 120', 'aria-hidden': 'true', focusable: 'false' },
    svg('circle', { class: 'ring-track', cx: 60, cy: 60, r: 54 }), arc);
  const digits = h('div', { class: 'countdown', 'data-testid': 'countdown', role: 'timer', 'aria-atomic': 'true' });
  const phaseLabel = h('p', { class: 'phase-label' });
  const timer = h('div', { class: 'timer' }, ring, h('div', { class: 'timer-text' }, digits, phaseLabel));

  const pauseBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'pause', onclick: togglePause }, 'Pause');
  const backBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'back', onclick: back }, '‹ Back');
  const skipBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'skip', onclick: skip }, 'Skip ›');
  backBtn.setAttribute('aria-label', 'Back to the previous stretch');
  skipBtn.setAttribute('aria-label', 'Skip this stretch');

  const top = h('div', { class: 'player-top' },
    h('a', { href: '#/today', class: 'btn btn-quiet' }, h('span', { 'aria-hidden': 'true' }, '✕\u00a0'), 'Close'), counter);
  if (canSpeak()) {
    const voice = h('button', { type: 'button', class: 'btn btn-quiet toggle', 'aria-pressed': String(voiceOn()) }, 'Voice');
    voice.addEventListener('click', () => {
      const on = !voiceOn();
      localStorage.setItem(VOICE_KEY, on ? 'on' : 'off');
      voice.setAttribute('aria-pressed', String(on));
      if (!on) speechSynthesis.cancel();
    });
    top.append(voice);
  }

  root.append(top, picture.node, title, meta, timer, h('div', { class: 'controls' }, backBtn, pauseBtn, skipBtn), details);

  if (!stretches.length) {
    root.replaceChildren(h('h1', {}, 'No stretches in this plan'), h('a', { href: '#/today', class: 'btn' }, 'Back to today'));
    return { node: root, cleanup() {} };
  }

  /** loadStretch starts stretch index from its first lead-in. */
  function loadStretch(index, why) {
    si = index;
    phases = phasesOf(stretches[si]);
    pi = 0;
    t0 = performance.now();
    halfwaySaid = false;
    showStretch();
    startPhase(why);
  }

  /** showStretch puts the current stretch's picture and text on screen. */
  function showStretch() {
    const s = stretches[si];
    shown = '';
    history.replaceState(null, '', `#/play/${si + 1}`);
    counter.textContent = `Stretch ${si + 1} of ${stretches.length}`;
    title.textContent = s.name;
    details.replaceChildren(...stretchDetails(s));
  }

  function startPhase(prefix = '') {
    const p = phases[pi];
    const s = stretches[si];
    const side = sideName(p.side);
    meta.textContent = [`Repeat ${p.rep} of ${p.reps}`, side].filter(Boolean).join(' · ');
    // The picture shows the side being done, easing into the held position during the lead-in.
    picture.show(p.side === 'right' && s.imageOther ? s.imageOther : s.image,
      [s.name, side].filter(Boolean).join(', '),
      p.kind === 'hold' ? 'held' : p.lead === 'rest' ? 'release' : 'start');
    timer.dataset.phase = p.kind;
    phaseLabel.textContent = p.kind === 'hold' ? 'Hold' : LEAD_LABEL[p.lead];
    let say;
    if (p.kind === 'hold') say = `Hold for ${p.secs} seconds. Breathe slowly.`;
    else if (p.lead === 'position') say = `${s.name}. Get into position${side ? `, ${side.toLowerCase()}` : ''}.`;
    else if (p.lead === 'switch') say = `Switch sides. ${side}.`;
    else say = `Relax. Next, repeat ${p.rep} of ${p.reps}.`;
    say = `${prefix} ${say}`.trim();
    announce(say);
    speak(say);
  }

  /** tick moves through phases that have run out, then redraws. */
  function tick() {
    if (finished) return;
    const now = performance.now();
    if (pausedAt === null) {
      let ended = null;
      let late = 0;
      let newStretch = false;
      while (now - t0 >= phases[pi].secs * 1000) {
        late = now - t0 - phases[pi].secs * 1000;
        ended = phases[pi];
        t0 += phases[pi].secs * 1000; // the next phase starts when this one ended, not now
        pi++;
        halfwaySaid = false;
        if (pi >= phases.length) {
          done.add(si);
          if (si + 1 >= stretches.length) return finish();
          si++;
          phases = phasesOf(stretches[si]);
          pi = 0;
          newStretch = true;
        }
      }
      if (ended) {
        // When the phone slept through several phases, cue only the current one.
        const live = late < 1500;
        if (live && ended.kind === 'hold' && navigator.vibrate) navigator.vibrate(200);
        const prefix = live && ended.kind === 'hold' ? (newStretch && pi === 0 ? 'Well done.' : 'And release.') : '';
        if (newStretch) showStretch();
        startPhase(prefix);
      }
      const p = phases[pi];
      if (p.kind === 'hold' && p.secs >= 16 && !halfwaySaid && now - t0 >= (p.secs * 1000) / 2) {
        halfwaySaid = true;
        announce('Halfway.');
        speak('Halfway.');
      }
    }
    draw(now);
  }

  function draw(now) {
    const p = phases[pi];
    const elapsed = (pausedAt ?? now) - t0;
    const left = Math.max(0, p.secs * 1000 - elapsed);
    const text = formatSeconds(Math.ceil(left / 1000));
    if (text !== shown) {
      digits.textContent = text;
      shown = text;
    }
    if (!reducedMotion.matches) arc.style.strokeDashoffset = (RING * (1 - left / (p.secs * 1000))).toFixed(2);
  }

  function togglePause() {
    const now = performance.now();
    if (pausedAt === null) {
      pausedAt = now;
      pauseBtn.textContent = 'Resume';
      root.classList.add('paused');
      picture.pause(true);
      if (canSpeak()) speechSynthesis.cancel();
      announce('Paused.');
    } else {
      t0 += now - pausedAt;
      pausedAt = null;
      pauseBtn.textContent = 'Pause';
      root.classList.remove('paused');
      picture.pause(false);
      announce('Resumed.');
    }
    draw(now);
  }

  function resume() {
    if (pausedAt !== null) togglePause();
  }

  function skip() {
    resume();
    if (si + 1 >= stretches.length) return finish();
    loadStretch(si + 1);
    title.focus();
  }

  function back() {
    resume();
    loadStretch(Math.max(0, si - 1));
    title.focus();
  }

  async function lockScreen() {
    try {
      if ('wakeLock' in navigator && document.visibilityState === 'visible' && !finished) {
        lock = await navigator.wakeLock.request('screen');
      }
    } catch {
      // Low battery mode or no permission: the timer still works, the screen may dim.
    }
  }

  function unlockScreen() {
    if (lock) lock.release().catch(() => {});
    lock = null;
  }

  function onVisible() {
    if (document.visibilityState !== 'visible' || finished) return;
    lockScreen(); // the lock is dropped whenever the page is hidden
    tick();
  }

  function finish() {
    finished = true;
    clearInterval(interval);
    unlockScreen();
    history.replaceState(null, '', '#/play/done');
    const total = stretches.length;
    const n = done.size;
    const say = n ? 'All done. Well done!' : 'Finished.';
    speak(say);
    if (navigator.vibrate) navigator.vibrate([150, 100, 150]);

    const status = h('p', { class: 'status', role: 'status' });
    const heading = h('h1', { tabindex: '-1' }, n ? 'Well done!' : 'Finished');
    root.replaceChildren(h('div', { class: 'finish', 'data-testid': 'finish' },
      heading,
      h('p', { class: 'big-stat' }, `You did ${n} of ${plural(total, 'stretch', 'stretches')}.`),
      n ? null : h('p', {}, 'That’s fine — try again when you’re ready.'),
      status,
      h('h2', {}, 'How do you feel?'),
      h('p', {}, 'A quick check-in helps your therapist see how you are doing.'),
      h('a', { href: '#/checkin', class: 'btn btn-primary btn-big' }, 'Check in'),
      h('a', { href: '#/today', class: 'btn' }, 'Back to today')));
    heading.focus();

    if (!n) return;
    const completion = { id: uuid(), at: new Date().toISOString(), routineId: routine.id, done: n, total };
    ctx.addCompletion(completion);
    status.textContent = 'Saving…';
    send(token, 'completions', completion).then((r) => {
      status.textContent = r.sent
        ? `Saved. ${plan.therapist?.name || 'Your therapist'} can see you did your stretches.`
        : r.queued
          ? 'Saved on this phone. We’ll send it when you’re back online.'
          : r.error?.limit ? `Not saved: ${r.error.message}.` : 'We couldn’t save this. Please check your connection.';
    });
  }

  const interval = setInterval(tick, 200);
  document.addEventListener('visibilitychange', onVisible);
  loadStretch(si);
  lockScreen();
  draw(performance.now());

  return {
    node: root,
    focus: title,
    cleanup() {
      finished = true;
      clearInterval(interval);
      document.removeEventListener('visibilitychange', onVisible);
      unlockScreen();
      if (canSpeak()) speechSynthesis.cancel();
    },
  };
}

function stretchDetails(s) {
  const part = (cls, heading, text) => text && h('div', { class: `note ${cls}` }, h('h2', {}, heading), h('p', {}, text));
  return [
    s.summary && h('p', { class: 'lead' }, s.summary),
    h('h2', {}, 'How to do it'),
    h('ol', { class: 'steps' }, (s.steps || []).map((step) => h('li', {}, step))),
    part('feel', 'How it should feel', s.feel || 'A gentle stretch — never sharp or shooting pain.'),
    part('stop', 'Stop if', s.stopIf || 'You feel pain shooting down your leg, or new numbness or tingling.'),
    part('breath', 'Breathing', s.breathing),
    part('easier', 'Easier option', s.easier),
  ].filter(Boolean);
}
