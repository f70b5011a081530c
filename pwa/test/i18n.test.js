// @ts-check
// The app's words: placeholders, CLDR plural forms as go-i18n picks them on the server,
// messages with a link inside, the therapist's ".unnamed" twin, the reasons a request
// failed, and dates, times and numbers in the language's own formats.
import { test, equal } from './harness.js';
import { use, t, tn, tt, list, match, formatLocale, nativeName, number, language } from '/shared/i18n.js';
import { formatWhen, formatClock, relativeDay, setLocale } from '/shared/dates.js';
import { reason } from '/app/text.js';
import { ApiError } from '/shared/api.js';

const stretches = (forms) => ({ 'count.stretches': forms });

test('t: placeholders filled, numbers in the language\'s digits, unknown ones left as they are', () => {
  use('de', { hi: 'Tag {{.Day}} von {{.Days}}, {{.Name}}', big: '{{.N}} Schritte', odd: '{{.Missing}} bleibt' });
  equal(t('hi', { Day: 3, Days: 14, Name: 'Sam' }), 'Tag 3 von 14, Sam', 'filled');
  equal(t('big', { N: 1234.5 }), '1.234,5 Schritte', 'German digits');
  equal(t('odd'), '{{.Missing}} bleibt', 'no value given');
  equal(t('no.such.id'), 'no.such.id', 'a missing message shows its id');
  equal(document.documentElement.lang, 'de', '<html lang> follows the language in use');
  equal(language(), 'de', 'language()');
});

test('t: plural forms chosen as CLDR (and go-i18n) choose them', () => {
  use('en', stretches({ one: '{{.Count}} stretch', other: '{{.Count}} stretches' }));
  equal([0, 1, 2].map((n) => t('count.stretches', { Count: n })), ['0 stretches', '1 stretch', '2 stretches'], 'English');
  use('fr', stretches({ one: '{{.Count}} étirement', many: '{{.Count}} d’étirements', other: '{{.Count}} étirements' }));
  equal([0, 1, 2].map((n) => t('count.stretches', { Count: n })), ['0 étirement', '1 étirement', '2 étirements'], 'French: 0 is one');
  equal(t('count.stretches', { Count: 1000000 }), '1\u202f000\u202f000 d’étirements', 'French: a million is many');
  use('es', stretches({ one: '{{.Count}} estiramiento', many: '{{.Count}} de estiramientos', other: '{{.Count}} estiramientos' }));
  equal([0, 1, 1000000].map((n) => t('count.stretches', { Count: n })), ['0 estiramientos', '1 estiramiento', '1.000.000 de estiramientos'], 'Spanish');
  use('pt-BR', stretches({ one: '{{.Count}} alongamento', many: '{{.Count}} de alongamentos', other: '{{.Count}} alongamentos' }));
  equal([0, 1, 2].map((n) => t('count.stretches', { Count: n })), ['0 alongamento', '1 alongamento', '2 alongamentos'], 'Portuguese (Brazil): 0 is one');
  use('de', stretches({ other: '{{.Count}} Dehnübungen' }));
  equal(t('count.stretches', { Count: 1 }), '1 Dehnübungen', 'a missing form falls back to other');
});

test('tn: a node inside a sentence; tt: the ".unnamed" twin without a therapist', () => {
  use('es', { 'd': 'Si tiene {{.Link}}, busque atención médica.', 'x': 'Avisando a {{.Therapist}}…', 'x.unnamed': 'Avisando a su terapeuta…' });
  const a = document.createElement('a');
  a.textContent = 'señales de alarma';
  const parts = tn('d', { Link: a });
  equal(parts.length, 3, 'text, link, text');
  equal(parts[1], a, 'the link itself');
  equal(parts.map((p) => (typeof p === 'string' ? p : p.textContent)).join(''), 'Si tiene señales de alarma, busque atención médica.', 'the sentence');
  equal(tt('x', 'Ana'), 'Avisando a Ana…', 'named');
  equal(tt('x', ''), 'Avisando a su terapeuta…', 'unnamed');
});

test('list and match: lists joined as the language does; the nearest supported language', () => {
  use('de', {});
  equal(list(['a', 'b', 'c']), 'a, b und c', 'German list');
  use('es', {});
  equal(list(['a', 'b']), 'a y b', 'Spanish list');
  equal(match(['pt']), 'pt-BR', 'pt reads pt-BR');
  equal(match(['de-AT', 'en']), 'de', 'de-AT reads German');
  equal(match(['es-MX']), 'es', 'es-MX reads Spanish');
  equal(match(['nl', 'fr-CA']), 'fr', 'the first supported one');
  equal(match(['nl']), 'en', 'none: English');
});

test('formatLocale: the phone\'s variant of the language, else the language', () => {
  equal(formatLocale('en', ['en-US', 'de']), 'en-US', 'US English keeps its clock');
  equal(formatLocale('es', ['es-MX']), 'es-MX', 'Mexican Spanish');
  equal(formatLocale('de', ['en-US']), 'de', 'a German plan on an English phone');
  equal(formatLocale('pt-BR', ['pt-PT']), 'pt-BR', 'pt-BR is not pt-PT');
  equal(formatLocale('en', []), 'en-GB', 'English without a variant: day before month');
  equal(nativeName('de'), 'Deutsch', 'German named in German');
  equal(nativeName('es'), 'Español', 'Spanish, capitalised');
  equal(nativeName('pt-BR'), 'Português (Brasil)', 'Portuguese (Brazil)');
});

test('dates: the plan\'s zone, the language\'s words and its 24-hour clock', () => {
  const at = new Date('2026-12-03T10:00:00Z'); // 11:00 in Berlin
  setLocale('de');
  equal(formatWhen(at, 'Europe/Berlin'), 'Donnerstag, 3. Dezember um 11:00', 'German');
  equal(formatClock('19:00'), '19:00', 'German clock');
  setLocale('es');
  equal(formatWhen(at, 'Europe/Berlin'), 'jueves, 3 de diciembre, 11:00', 'Spanish');
  equal(relativeDay(at, 'Europe/Berlin', new Date('2026-12-04T09:00:00Z')), 'ayer', 'yesterday in Spanish');
  setLocale('fr');
  equal(formatWhen(at, 'Europe/Berlin'), 'jeudi 3 décembre à 11:00', 'French');
  setLocale('pt-BR');
  equal(formatWhen(at, 'Europe/Berlin'), 'quinta-feira, 3 de dezembro às 11:00', 'Portuguese (Brazil)');
  setLocale('en-US');
  equal(formatClock('19:00'), '7:00 PM', 'US English keeps its 12-hour clock');
  setLocale('en-GB');
  equal(formatWhen(at, 'Europe/Berlin'), 'Thursday 3 December at 11:00', 'British English');
  equal(relativeDay(at, 'Europe/Berlin', at), 'today', 'today in English');
  use('fr', {});
  equal(number(1.5), '1,5', 'numbers in French');
});

/** appI18n is the i18n module as the app's modules import it: the server rewrites their
 *  imports to content-hashed names, which are other module instances than /shared/i18n.js. */
async function appI18n() {
  const src = await (await fetch('/app/text.js')).text();
  const m = /from '([^']*i18n[^']*)'/.exec(src);
  return m ? import(new URL(m[1], location.origin + '/app/').href) : import('/shared/i18n.js');
}

test('reason: the server\'s words in English, the app\'s in other languages', async () => {
  const { use } = await appI18n();
  const limit = new ApiError(429, 'this plan already has 40 check-ins today', { limit: 'check-ins-per-day' });
  const noDevice = new ApiError(409, 'no device has reminders turned on for this plan');
  use('en', { 'error.offline': 'no connection', 'error.checkinsPerDay': 'too many today', 'error.noDevice': 'no device' });
  equal(reason(limit), 'this plan already has 40 check-ins today', 'English: the server\'s message');
  equal(reason(new ApiError(0, 'No connection')), 'no connection', 'no answer');
  use('es', { 'error.checkinsPerDay': 'demasiadas hoy', 'error.noDevice': 'ningún dispositivo', 'error.refused': 'no aceptado', 'error.server': 'fallo nuestro', 'error.browser': 'el navegador no pudo' });
  equal(reason(limit), 'demasiadas hoy', 'Spanish: the limit in Spanish');
  equal(reason(noDevice, { 409: 'error.noDevice' }), 'ningún dispositivo', 'a status the screen names');
  equal(reason(noDevice), 'no aceptado', 'another 4xx');
  equal(reason(new ApiError(500, 'internal error')), 'fallo nuestro', 'a 5xx');
  equal(reason(new ApiError(400, 'ya en español', { language: 'es' })), 'ya en español', 'the server wrote Spanish');
  equal(reason(new Error('Registration failed')), 'el navegador no pudo', 'the browser\'s own English is not shown');
});
