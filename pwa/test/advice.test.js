// @ts-check
// The advice the phone shows at once, offline too; the server judges the same way (server/care).
import { test, equal } from './harness.js';
import { adviceFor } from '/app/checkin.js';

const plan = { sessionAt: '2026-10-22T10:00:00Z' };
/** @param {string} at @param {number} soreness @param {string[]} [redFlags] */
const checkin = (at, soreness, redFlags = []) => ({ at, soreness, redFlags });

test('adviceFor: any red flag is urgent, whatever the soreness and time', () => {
  equal(adviceFor(plan, checkin('2026-10-22T11:00:00Z', 0, ['saddle-numbness'])), 'urgent', 'a red flag an hour after the session');
  equal(adviceFor(plan, checkin('2026-10-25T10:00:00Z', 9, ['leg-weakness', 'bladder-bowel'])), 'urgent', 'two red flags and very sore at 72 h');
});

test('adviceFor: still sore (7 or more) from 48 hours after the session on asks to contact the therapist', () => {
  equal(adviceFor(plan, checkin('2026-10-24T10:00:00Z', 7)), 'contact-therapist', 'soreness 7 at exactly 48 h');
  equal(adviceFor(plan, checkin('2026-10-26T10:00:00Z', 10)), 'contact-therapist', 'soreness 10 at 96 h');
});

test('adviceFor: soreness is normal before 48 hours, and under 7 at any time', () => {
  equal(adviceFor(plan, checkin('2026-10-24T09:59:00Z', 9)), 'normal', 'soreness 9 at 47 h 59 min');
  equal(adviceFor(plan, checkin('2026-10-27T10:00:00Z', 6)), 'normal', 'soreness 6 at 120 h');
  equal(adviceFor(plan, checkin('2026-10-22T10:30:00Z', 0)), 'normal', 'no soreness');
});
