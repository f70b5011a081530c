// @ts-check
// The helpers both apps share: building elements, decoding the push key, the API's errors.
import { test, equal, rejects } from './harness.js';
import { h, svg, announce } from '/shared/dom.js';
import { base64urlToBytes } from '/shared/base64url.js';
import { call, ApiError } from '/shared/api.js';
import { firstName } from '/app/text.js';

test('h: props left out when null or false, true as an empty attribute, text as text', () => {
  const p = h('p', { class: 'x', hidden: false, title: null, 'aria-pressed': true, 'data-n': 0, text: '<b>hi</b>' });
  equal(p.outerHTML, '<p class="x" aria-pressed="" data-n="0">&lt;b&gt;hi&lt;/b&gt;</p>', 'the element');
});

test('h: children flattened, null and false skipped, numbers and strings as text', () => {
  const ul = h('ul', {}, [h('li', {}, 'a'), [false, null, undefined, 'b', 0]], 'c');
  equal(ul.outerHTML, '<ul><li>a</li>b0c</ul>', 'the list');
});

test('h: on… props listen', () => {
  let clicks = 0;
  const b = h('button', { onclick: () => clicks++ }, 'Go');
  b.click();
  b.click();
  equal(clicks, 2, 'clicks');
  equal(b.hasAttribute('onclick'), false, 'an onclick attribute');
});

test('svg: elements in the SVG namespace', () => {
  const c = svg('circle', { r: 5, class: null });
  equal(c.namespaceURI, 'http://www.w3.org/2000/svg', 'namespace');
  equal(c.outerHTML, '<circle r="5"></circle>', 'the circle');
});

test('announce: the polite live region gets the message after a tick', async () => {
  announce('Saved');
  const live = document.getElementById('live');
  equal(live && live.getAttribute('aria-live'), 'polite', 'the live region');
  await new Promise((r) => setTimeout(r, 120));
  equal(live && live.textContent, 'Saved', 'its text');
});

test('base64urlToBytes: URL-safe alphabet, with or without padding', () => {
  equal(base64urlToBytes('AQID'), new Uint8Array([1, 2, 3]), 'AQID');
  equal(base64urlToBytes('AQIDBA'), new Uint8Array([1, 2, 3, 4]), 'AQIDBA (unpadded)');
  equal(base64urlToBytes('AQIDBA=='), new Uint8Array([1, 2, 3, 4]), 'AQIDBA== (padded)');
  equal(base64urlToBytes('-_8'), new Uint8Array([251, 255]), '-_8 (the URL-safe characters)');
  equal(base64urlToBytes('BP' + 'A'.repeat(85)).length, 65, 'length of a P-256 public key');
});

test('firstName', () => {
  equal(firstName('  Sam   Smith '), 'Sam', 'first name of "  Sam   Smith "');
  equal(firstName(''), '', 'first name of ""');
  equal(firstName(null), '', 'first name of null');
});

test('call: parsed JSON from the server, its error message and status in an ApiError', async () => {
  const routines = await call('GET', '/api/routines');
  equal(Array.isArray(routines) && routines.length > 0, true, 'routines listed');
  const err = await rejects(() => call('GET', '/api/plans'), 'a therapist route without a login');
  equal(err instanceof ApiError, true, 'an ApiError');
  equal(err.status, 401, 'its status');
  equal(typeof err.message === 'string' && err.message.length > 0 && !err.message.startsWith('Request failed'), true, 'the server\'s own message');
  const gone = await rejects(() => call('GET', '/api/p/no-such-plan-0000000000'), 'an unknown plan');
  equal([gone.status, gone.message], [404, 'not found'], 'unknown plan');
});

test('call: no answer is status 0 with the given message, and onAnswer hears of it', async () => {
  /** @type {(Response | null)[]} */
  const answers = [];
  const err = await rejects(() => call('GET', 'http://127.0.0.1:9/unreachable', undefined, { offline: 'Offline here', onAnswer: (r) => answers.push(r) }), 'a closed port');
  equal([err.status, err.message], [0, 'Offline here'], 'the error');
  equal(answers, [null], 'answers heard');
});
