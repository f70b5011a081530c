// @ts-check
// The clinic content's rule on the phone (app/clinic.js): the tier a check-in's answers lead
// to, decided without the server, and the outbox's "urgent" for both check-in versions.
import { test, equal } from './harness.js';
import { tierOf, yesTo, rank } from '/app/clinic.js';
import { urgentCheckin } from '/app/outbox.js';

const content = {
  questions: [
    { id: 'saddle-numbness', tier: 'emergency-now', text: 'q1', words: 'w1' },
    { id: 'sexual-function', tier: 'emergency-now', text: 'q2', words: 'w2', optional: true },
    { id: 'fever', tier: 'see-doctor-soon', text: 'q3', words: 'w3' },
    { id: 'night-pain', tier: 'see-doctor-soon', text: 'q4', words: 'w4' },
  ],
};
const body = (emergency, seeDoctor) => ({ emergency, seeDoctor });

test('tierOf: the highest tier answered yes, any one is enough', () => {
  equal(tierOf(content, body({ 'saddle-numbness': false, 'sexual-function': null }, { fever: false, 'night-pain': false })), 'none', 'all no');
  equal(tierOf(content, body({ 'saddle-numbness': false }, { 'night-pain': true })), 'see-doctor-soon', 'one see-doctor yes');
  equal(tierOf(content, body({ 'saddle-numbness': false, 'sexual-function': true }, { fever: true })), 'emergency-now', 'an emergency yes wins');
  equal(tierOf(content, body({ 'sexual-function': null }, {})), 'none', 'a skipped optional question counts as no');
  equal(tierOf(content, body({}, { 'saddle-numbness': true })), 'none', 'an answer in the wrong group is not the question');
});

test('yesTo: the questions answered yes, in the content order', () => {
  equal(yesTo(content, body({ 'saddle-numbness': true }, { 'night-pain': true, fever: true })).map((q) => q.id).join(' '), 'saddle-numbness fever night-pain', 'order');
  equal(rank('emergency-now') > rank('see-doctor-soon') && rank('see-doctor-soon') > rank('none'), true, 'rank');
});

test('urgentCheckin: version 1 red flags and version 2 emergency answers', () => {
  equal(urgentCheckin({ pain: 3, redFlags: ['leg-weakness'] }), true, 'v1 red flag');
  equal(urgentCheckin({ pain: 3, redFlags: [] }), false, 'v1 none');
  equal(urgentCheckin({ backPain: 3, emergency: { 'foot-drop': true } }), true, 'v2 emergency yes');
  equal(urgentCheckin({ backPain: 3, emergency: { 'foot-drop': false, 'sexual-function': null }, seeDoctor: { fever: true } }), false, 'v2 see-doctor only');
  equal(urgentCheckin(undefined), false, 'no body');
});
