// @ts-check
// Small text helpers for the client app's screens.
import { t, language } from '../shared/i18n.js';

/**
 * firstName is the first word of a name ("" for none).
 * @param {string | null | undefined} name
 */
export const firstName = (name) => (name || '').trim().split(/\s+/)[0] || '';

/** The plan limits the server names (X-Aftercare-Limit), and how the app says each. */
const LIMITS = {
  'check-ins-per-day': 'error.checkinsPerDay',
  'completions-per-day': 'error.completionsPerDay',
  'check-ins-per-plan': 'error.checkinsPerPlan',
  'completions-per-plan': 'error.completionsPerPlan',
};

/**
 * reason says why a request failed, as the end of a sentence ("Couldn’t send: …"), in the
 * app's language. The server's own words are used where they are in that language (it
 * writes English; a Content-Language on the answer says otherwise); else the app's words
 * for the limit or status that refused, where the calling screen may name its own
 * (byStatus: {409: 'error.noDevice'}).
 * @param {any} err an ApiError (status 0: no answer), or another Error
 * @param {Record<number, string>} [byStatus] message ids for statuses this call knows
 */
export function reason(err, byStatus = {}) {
  if (!err) return t('error.server');
  if (err.status === 0) return t('error.offline');
  if (err.localized) return err.message; // made by the app, already in its language
  const lang = language();
  const said = String(err.language || 'en').toLowerCase();
  if (err.message && typeof err.status === 'number' && said === lang.toLowerCase()) return err.message;
  if (err.limit && LIMITS[err.limit]) return t(LIMITS[err.limit]);
  if (typeof err.status !== 'number') return lang === 'en' && err.message ? err.message : t('error.browser');
  if (byStatus[err.status]) return t(byStatus[err.status]);
  if (err.status === 404) return t('error.notFound');
  if (err.status === 410) return t('error.ended');
  if (err.status >= 500) return t('error.server');
  return t('error.refused');
}

/**
 * failure is an Error whose message is already in the app's language (reason() shows it).
 * @param {string} message
 */
export function failure(message) {
  const err = /** @type {Error & {localized?: boolean}} */ (new Error(message));
  err.localized = true;
  return err;
}
