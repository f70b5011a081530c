// @ts-check
// The guided player: one stretch at a time, a lead-in before every hold, a large
// countdown, spoken cues, vibration at the end of each hold and a screen wake lock.
//
// Time is measured from timestamps (performance.now), never by counting timer ticks,
// so the countdown stays right when the phone throttles or sleeps the page.
// Order for stretches done on both sides: each rep does the left side, then the right
// ("Switch sides" between them), then the next rep.
import { h, svg, announce } from '../shared/dom.js';
import { t, tt } from '../shared/i18n.js';
import { send, uuid } from './outbox.js';
import { reason } from './text.js';
import { VOICE_KEY, canSpeak, voiceOn, speak } from './speech.js';
import { stretchPicture } from './picture.js';

const RING = 2 * Math.PI * 54; // circumference of the countdown ring (r = 54)
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

const LEAD_SECONDS = 5;
const sideName = (side) => (side ? t(`player.side.${side}`) : '');

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

/** say is the spoken (and announced) cue at the start of phase p of the stretch named name. */
function say(p, name) {
  if (p.kind === 'hold') return t('stretch.hold.spoken', { Count: p.secs });
  if (p.lead === 'position') return t(p.side ? `player.say.position.${p.side}` : 'player.say.position', { Stretch: name });
  if (p.lead === 'switch') return t(`player.say.switch.${p.side}`);
  return t('player.say.rest', { Rep: p.rep, Reps: p.reps });
}

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
  // A copy: "Make it easier" swaps a stretch for its easier variation for the rest of the session.
  const stretches = [...(routine.stretches || [])];
  const variations = [...(routine.variations || []), ...(routine.stretches || [])];
  /** @type {Map<string, string>} the plan's stretch id → the easier variation done instead */
  const swaps = new Map();
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

  const root = h('section', { class: 'player', 'aria-label': t('player.label') });

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

  const pauseBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'pause', onclick: togglePause }, t('player.pause'));
  const backBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'back', onclick: back, 'aria-label': t('player.back.label') },
    h('span', { 'aria-hidden': 'true' }, '‹\u00a0'), t('player.back'));
  const skipBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'skip', onclick: skip, 'aria-label': t('player.skip.label') },
    t('player.skip'), h('span', { 'aria-hidden': 'true' }, '\u00a0›'));
  const easierBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'make-easier', onclick: makeEasier }, t('player.easier'));
  const easierRow = h('p', { class: 'easier-row' }, easierBtn);

  const top = h('div', { class: 'player-top' },
    // Close is its sign alone (its word for screen readers), so the counter keeps room in every language.
    h('a', { href: '#/today', class: 'btn btn-quiet btn-close', 'data-testid': 'close' }, h('span', { 'aria-hidden': 'true' }, '✕'), h('span', { class: 'vh' }, t('player.close'))), counter);
  if (canSpeak()) {
    const voice = h('button', { type: 'button', class: 'btn btn-quiet toggle', 'data-testid': 'voice', 'aria-pressed': String(voiceOn()) },
      t(voiceOn() ? 'player.voice.on' : 'player.voice.off'));
    voice.addEventListener('click', () => {
      const on = !voiceOn();
      localStorage.setItem(VOICE_KEY, on ? 'on' : 'off');
      voice.setAttribute('aria-pressed', String(on));
      voice.textContent = t(on ? 'player.voice.on' : 'player.voice.off');
      if (!on) speechSynthesis.cancel();
    });
    top.append(voice);
  }

  root.append(top, picture.node, title, meta, timer, h('div', { class: 'controls' }, backBtn, pauseBtn, skipBtn), easierRow, details);

  if (!stretches.length) {
    root.replaceChildren(h('h1', {}, t('player.none')), h('a', { href: '#/today', class: 'btn' }, t('advice.backToToday')));
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
    counter.textContent = t('player.counter', { Number: si + 1, Total: stretches.length });
    title.textContent = s.name;
    details.replaceChildren(...stretchDetails(s));
    // One step down per stretch of the plan: the easier variation is itself a stretch of the plan's.
    easierRow.hidden = !easierOf(s) || [...swaps.values()].includes(s.id);
  }

  /** easierOf is the easier variation of stretch s that this plan carries, if any. */
  function easierOf(s) {
    return s.easierId ? variations.find((v) => v.id === s.easierId) : undefined;
  }

  /** makeEasier swaps the current stretch for its easier variation, for the rest of the session. */
  function makeEasier() {
    const s = stretches[si];
    const v = easierOf(s);
    if (!v) return;
    resume();
    swaps.set(s.id, v.id);
    stretches[si] = v;
    loadStretch(si, t('player.say.easier', { Stretch: v.name }));
    title.focus();
  }

  function startPhase(prefix = '') {
    const p = phases[pi];
    const s = stretches[si];
    const side = sideName(p.side);
    meta.textContent = [t('player.repeat', { Rep: p.rep, Reps: p.reps }), side].filter(Boolean).join(' · ');
    // The picture shows the side being done, easing into the held position during the lead-in.
    picture.show(p.side === 'right' && s.imageOther ? s.imageOther : s.image,
      [s.name, side].filter(Boolean).join(', '),
      p.kind === 'hold' ? 'held' : p.lead === 'rest' ? 'release' : 'start');
    timer.dataset.phase = p.kind;
    phaseLabel.textContent = t(p.kind === 'hold' ? 'player.hold' : `player.lead.${p.lead}`);
    const cue = `${prefix} ${say(p, s.name)}`.trim();
    announce(cue);
    speak(cue);
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
        const prefix = live && ended.kind === 'hold' ? t(newStretch && pi === 0 ? 'player.say.wellDone' : 'player.say.release') : '';
        if (newStretch) showStretch();
        startPhase(prefix);
      }
      const p = phases[pi];
      if (p.kind === 'hold' && p.secs >= 16 && !halfwaySaid && now - t0 >= (p.secs * 1000) / 2) {
        halfwaySaid = true;
        announce(t('player.say.halfway'));
        speak(t('player.say.halfway'));
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
      pauseBtn.textContent = t('player.resume');
      root.classList.add('paused');
      picture.pause(true);
      if (canSpeak()) speechSynthesis.cancel();
      announce(t('player.say.paused'));
    } else {
      t0 += now - pausedAt;
      pausedAt = null;
      pauseBtn.textContent = t('player.pause');
      root.classList.remove('paused');
      picture.pause(false);
      announce(t('player.say.resumed'));
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
    speak(t(n ? 'player.say.allDone' : 'player.say.finished'));
    if (navigator.vibrate) navigator.vibrate([150, 100, 150]);

    const status = h('p', { class: 'status', role: 'status' });
    const heading = h('h1', { tabindex: '-1' }, t(n ? 'finish.wellDone' : 'finish.finished'));
    root.replaceChildren(h('div', { class: 'finish', 'data-testid': 'finish' },
      heading,
      h('p', { class: 'big-stat' }, t('count.didOf', { Done: n, Count: total })),
      n ? null : h('p', {}, t('finish.none')),
      status,
      h('h2', {}, t('finish.feel.title')),
      h('p', {}, t('finish.feel.text')),
      h('a', { href: '#/checkin', class: 'btn btn-primary btn-big' }, t('today.checkin.button')),
      h('a', { href: '#/today', class: 'btn' }, t('advice.backToToday'))));
    heading.focus();

    if (!n) return;
    /** @type {Record<string, unknown>} */
    const completion = { id: uuid(), at: new Date().toISOString(), routineId: routine.id, done: n, total };
    if (swaps.size) completion.easierUsed = [...swaps].map(([from, to]) => ({ from, to }));
    ctx.addCompletion(completion);
    status.textContent = t('finish.saving');
    send(token, 'completions', completion).then((r) => {
      status.textContent = r.sent
        ? tt('finish.saved', plan.therapist?.name)
        : r.queued
          ? t('finish.queued')
          : r.rejected ? t('finish.refused', { Reason: reason(r.error) }) : t('finish.failed');
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
    h('h2', {}, t('stretch.howTo')),
    h('ol', { class: 'steps' }, (s.steps || []).map((step) => h('li', {}, step))),
    part('feel', t('stretch.feel'), s.feel || t('stretch.feel.fallback')),
    part('stop', t('stretch.stopIf'), s.stopIf || t('stretch.stopIf.fallback')),
    part('breath', t('stretch.breathing'), s.breathing),
    part('easier', t('stretch.easier'), s.easier),
  ].filter(Boolean);
}
