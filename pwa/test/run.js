// @ts-check
// Loads every test module, then runs them (see harness.js). A module that does not load
// (a missing export, a syntax error) is reported as a failed test, not a silent hang.
import { test, run } from './harness.js';

const modules = ['./player.test.js', './i18n.test.js', './dates.test.js', './shared.test.js', './studio.test.js', './clinic.test.js'];
for (const m of modules) {
  try {
    await import(m);
  } catch (err) {
    test(`load ${m}`, () => { throw err; });
  }
}
run();
