// @ts-check
// The studio in the client app (its accent as custom properties, the way to book) and the
// workspace's clients list query.
import { test, equal } from './harness.js';
import { accentProperties, bookingAction } from '/app/studio.js';
import { clientsQuery } from '/therapist/clients.js';

const studio = {
  name: 'Harbour Massage', accent: '#2f6f62', accentText: '#25594d', accentSoft: '#dcefe7',
  accentDark: '#8fd0bd', accentDarkText: '#9ad8c6', accentDarkSoft: '#1f3630',
  bookingUrl: 'https://book.example.org/h', phone: '+44 20 7946 0018', tel: 'tel:+442079460018', address: '', logo: '',
};

test('accentProperties: the theme’s three colours, nothing that is not a colour', () => {
  equal(JSON.stringify(accentProperties(studio, false)), JSON.stringify([['--primary', '#2f6f62'], ['--primary-text', '#25594d'], ['--primary-soft', '#dcefe7']]), 'light');
  equal(JSON.stringify(accentProperties(studio, true)), JSON.stringify([['--primary', '#8fd0bd'], ['--primary-text', '#9ad8c6'], ['--primary-soft', '#1f3630']]), 'dark');
  equal(accentProperties({ ...studio, accent: 'red;background:url(x)', accentText: '', accentSoft: '#12' }, false).length, 0, 'junk is left out');
});

test('bookingAction: the booking page, else a call to the studio, else nothing', () => {
  const book = /** @type {HTMLAnchorElement} */ (bookingAction(studio));
  equal(book.getAttribute('href'), 'https://book.example.org/h', 'booking link');
  equal(book.getAttribute('rel'), 'noopener', 'rel');
  const call = /** @type {HTMLElement} */ (bookingAction({ ...studio, bookingUrl: '' }));
  equal(call.querySelector('a')?.getAttribute('href'), 'tel:+442079460018', 'tel link');
  equal(call.querySelector('a')?.dataset.testid, 'call-studio', 'the call button');
  equal(bookingAction({ ...studio, bookingUrl: 'javascript:alert(1)', tel: '', phone: '' }), null, 'no https link and no phone');
  equal(bookingAction(undefined), null, 'no studio');
});

test('clientsQuery: only what is set, the search trimmed and encoded', () => {
  equal(clientsQuery({ q: '', status: '' }, ''), '/api/clients', 'default view');
  equal(clientsQuery({ q: '  Zoë Á ', status: 'ended' }, 'AQID'), '/api/clients?q=Zo%C3%AB+%C3%81&status=ended&cursor=AQID', 'all set');
});
