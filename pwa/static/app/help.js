// @ts-check
// Help (#/about): the emergency signs with the call button (the clinic content's, else the
// plan's red flags), when to contact the therapist, the app's language, and the app. Loaded
// with the screen, not with the first page.
import { h } from '../shared/dom.js';
import { t, LANGUAGES, language, nativeName } from '../shared/i18n.js';
import { reason } from './text.js';
import { callCard } from './safety.js';
import { soon, EMERGENCY } from './clinic.js';

/** emergencySigns are the clinic content's emergency signs, or null without it (then the plan's red flags). */
const emergencySigns = (plan) => soon(plan, 1000)
  .then((c) => (c ? c.questions.filter((q) => q.tier === EMERGENCY).map((q) => q.words) : null)).catch(() => null);

/**
 * renderAbout is Help: the emergency signs with the call button, when to contact the
 * therapist, the language and the app.
 * @param {ClientContext} ctx
 * @param {(chosen: string) => Promise<void>} switchLanguage
 */
export async function renderAbout(ctx, switchLanguage) {
  const plan = ctx.plan;
  const signs = await emergencySigns(plan);
  return h('div', { class: 'stack' },
    h('h1', { tabindex: '-1' }, t('help.title')),
    callCard(t('urgent.card.heading'), plan?.emergencyNumber, plan, signs),
    h('section', { class: 'card', 'aria-labelledby': 'contact-title' },
      h('h2', { id: 'contact-title' }, t('help.contact.title')),
      h('ul', {}, ['stillSore', 'worse', 'nerve', 'unsure'].map((k) => h('li', {}, t(`help.contact.${k}`))))),
    h('section', { class: 'card', 'aria-labelledby': 'safe-title' },
      h('h2', { id: 'safe-title' }, t('help.safe.title')),
      h('p', {}, t('help.safe.text'))),
    languageCard(switchLanguage),
    h('section', { class: 'card', 'aria-labelledby': 'app-title' },
      h('h2', { id: 'app-title' }, t('help.about.title')),
      h('p', {}, t('help.about.disclaimer')),
      h('p', {}, t('help.about.data', { Erase: t('erase.button') }))));
}

/**
 * languageCard switches the app's language (switchLanguage, app.js). Each language is named
 * in itself.
 * @param {(chosen: string) => Promise<void>} switchLanguage
 */
function languageCard(switchLanguage) {
  const status = h('p', { class: 'status', role: 'status' });
  const select = h('select', { id: 'language', 'data-testid': 'language', 'aria-describedby': 'language-hint' },
    LANGUAGES.map((tag) => h('option', { value: tag, lang: tag, selected: tag === language() }, nativeName(tag))));
  select.addEventListener('change', async () => {
    const chosen = select.value;
    select.disabled = true;
    status.textContent = t('language.saving');
    try {
      await switchLanguage(chosen);
      const again = /** @type {HTMLSelectElement | null} */ (document.getElementById('language'));
      const said = document.querySelector('#language-card .status');
      if (said) said.textContent = t('language.saved');
      again?.focus();
    } catch (err) {
      select.value = language();
      select.disabled = false;
      status.textContent = err.status === 0 ? t('language.offline') : t('language.failed', { Reason: reason(err) });
    }
  });
  return h('section', { class: 'card', id: 'language-card', 'aria-labelledby': 'language-title' },
    h('h2', { id: 'language-title' }, t('language.title')),
    h('div', { class: 'field' },
      h('label', { for: 'language' }, t('language.label')),
      select,
      h('p', { class: 'hint', id: 'language-hint' }, t('language.hint'))),
    status);
}
