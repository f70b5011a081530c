// @ts-check
// A tiny test runner for the PWA's pure functions, run in Chromium by TestPWAUnitsInChromium
// (cmd/aftercare/browser_units_test.go): test() registers, run() runs them all and publishes
// {passed, failed: [{name, message}]} on window.__units for the Go test to read.

/** @type {{name: string, fn: () => unknown}[]} */
const tests = [];

/**
 * test registers a named test; it fails when fn throws (or its promise rejects).
 * @param {string} name
 * @param {() => unknown} fn
 */
export function test(name, fn) {
  tests.push({ name, fn });
}

/** @param {unknown} v */
const show = (v) => (v instanceof Uint8Array ? `Uint8Array [${[...v].join(', ')}]` : JSON.stringify(v));

/**
 * equal fails unless got and want are the same value, or the same when written as JSON.
 * @param {unknown} got
 * @param {unknown} want
 * @param {string} what what was compared, for the message
 */
export function equal(got, want, what) {
  if (Object.is(got, want) || show(got) === show(want)) return;
  throw new Error(`${what}: got ${show(got)}, want ${show(want)}`);
}

/**
 * rejects fails unless fn's promise rejects; it returns the error for more checks.
 * @param {() => Promise<unknown>} fn
 * @param {string} what
 * @returns {Promise<any>}
 */
export async function rejects(fn, what) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error(`${what}: did not fail`);
}

/** run runs every registered test in order and publishes the results. */
export async function run() {
  /** @type {{name: string, message: string}[]} */
  const failed = [];
  let passed = 0;
  for (const { name, fn } of tests) {
    try {
      await fn();
      passed++;
    } catch (err) {
      failed.push({ name, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const results = { passed, failed };
  /** @type {any} */ (window).__units = results;
  const out = document.getElementById('out');
  if (out) out.textContent = `${passed} passed, ${failed.length} failed\n` + failed.map((f) => `${f.name}: ${f.message}`).join('\n');
  document.documentElement.dataset.done = '1';
  return results;
}
