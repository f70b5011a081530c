// @ts-check
import { test, equal } from './harness.js';
import { phasesOf, formatSeconds } from '/app/player.js';

/** @param {ReturnType<typeof phasesOf>} phases */
const brief = (phases) => phases.map((p) => [p.kind, p.lead || '', p.side || '', p.rep, p.secs].join(' '));

test('phasesOf: both sides, each repeat left then right, a lead-in before every hold', () => {
  equal(brief(phasesOf({ reps: 2, holdSeconds: 20, perSide: true })), [
    'lead position left 1 5', 'hold  left 1 20',
    'lead switch right 1 5', 'hold  right 1 20',
    'lead rest left 2 5', 'hold  left 2 20',
    'lead switch right 2 5', 'hold  right 2 20',
  ], 'phases of 2 × 20 s per side');
});

test('phasesOf: one side, three repeats rest between holds', () => {
  equal(brief(phasesOf({ reps: 3, holdSeconds: 45 })), [
    'lead position  1 5', 'hold   1 45', 'lead rest  2 5', 'hold   2 45', 'lead rest  3 5', 'hold   3 45',
  ], 'phases of 3 × 45 s');
  equal(phasesOf({ reps: 3, holdSeconds: 45 }).every((p) => p.reps === 3), true, 'every phase knows the number of repeats');
});

test('phasesOf: missing or zero reps and hold fall back to one hold of 30 s', () => {
  equal(brief(phasesOf({})), ['lead position  1 5', 'hold   1 30'], 'phases of an empty stretch');
  equal(brief(phasesOf({ reps: 0, holdSeconds: 0 })), ['lead position  1 5', 'hold   1 30'], 'phases of 0 × 0 s');
  equal(brief(phasesOf({ reps: -2, holdSeconds: -5 })), ['lead position  1 5', 'hold   1 1'], 'phases of negative values');
});

test('formatSeconds: seconds under a minute, m:ss from a minute on', () => {
  equal(formatSeconds(0), '0', '0 s');
  equal(formatSeconds(59), '59', '59 s');
  equal(formatSeconds(60), '1:00', '60 s');
  equal(formatSeconds(125), '2:05', '125 s');
});
