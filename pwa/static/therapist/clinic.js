// @ts-check
// The clinic's words for the therapist: what the client chose (areas, sides, feelings, leg
// symptoms, warning signs, the preparation form's ticks) labelled as the client saw them,
// from the clinic content (GET /api/clinic/{lang}) in the therapist's language; the
// workspace's own words (tiers, verdicts, headings) stay in its catalog. An id the content
// does not know is shown as it is, without dashes.
import { t, language, list } from '../shared/i18n.js';
import { api } from './workspace.js';

/** @type {Map<string, Promise<any>>} language → clinic content */
const contents = new Map();

/**
 * @typedef {object} ClinicWords
 * @property {(p: {area: string, side?: string} | string) => string} place an area and its side ("Thigh (left)")
 * @property {(ids: any[] | null | undefined) => string} places the areas, joined as the language does
 * @property {(group: string, ids: string[] | null | undefined) => string} choices ids of a group (feelings, legChange, worse, goals, pressure, health) joined
 * @property {(group: string, id: string) => string} choice one id of a group
 * @property {(ids: string[] | null | undefined) => string} flags warning signs as the tier screens list them
 * @property {string} attribution the PSFS authors' line
 */

/** undashed shows an unknown id readably. */
const undashed = (/** @type {string} */ id) => String(id).replace(/-/g, ' ');

/**
 * clinicWords loads the clinic content in the workspace's language (once per language) and
 * returns its labellers. Without the content (an older server) ids are shown readably.
 * @returns {Promise<ClinicWords>}
 */
export async function clinicWords() {
  const lang = language();
  let loading = contents.get(lang);
  if (!loading) {
    loading = api('GET', `/api/clinic/${encodeURIComponent(lang)}`).catch(() => {
      contents.delete(lang);
      return null;
    });
    contents.set(lang, loading);
  }
  return wordsOf(await loading);
}

/**
 * wordsOf builds the labellers of one content document (null: none).
 * @param {any} c
 * @returns {ClinicWords}
 */
export function wordsOf(c) {
  /** @type {Map<string, Map<string, string>>} group → id → label */
  const groups = new Map();
  /** @param {string} name @param {any[] | undefined} choices */
  const group = (name, choices) => groups.set(name, new Map((choices || []).map((ch) => [ch.id, ch.label])));
  const ci = (c && c.checkIn) || {};
  const prep = (c && c.preparation) || {};
  group('areas', ci.areas);
  group('sides', ci.sides);
  group('feelings', ci.feelings);
  group('legChange', ci.legChange && ci.legChange.choices);
  group('worse', prep.worse && prep.worse.choices);
  group('goals', prep.goals && prep.goals.choices);
  group('pressure', prep.pressure && prep.pressure.choices);
  group('health', prep.health && prep.health.choices);
  const questions = new Map(((c && c.questions) || []).map((/** @type {any} */ q) => [q.id, q.words]));
  const choice = (/** @type {string} */ name, /** @type {string} */ id) => (groups.get(name) || new Map()).get(id) || undashed(id);
  const place = (/** @type {any} */ p) => {
    if (typeof p === 'string') return choice('areas', p);
    const area = choice('areas', p.area);
    return p.side ? t('clinic.place', { Area: area, Side: choice('sides', p.side).toLocaleLowerCase(language()) }) : area;
  };
  return {
    place,
    places: (ids) => list((ids || []).map(place)),
    choices: (name, ids) => list((ids || []).map((id) => choice(name, id))),
    choice,
    flags: (ids) => list((ids || []).map((id) => questions.get(id) || undashed(id))),
    attribution: (c && c.psfs && c.psfs.attribution) || '',
  };
}
