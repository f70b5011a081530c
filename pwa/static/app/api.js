// @ts-check
// The client's calls to the server API, same origin. Every call returns parsed JSON (or null)
// or throws an ApiError (../shared/api.js).
import { call as request } from '../shared/api.js';

/** connection tells the app whether the last request reached the server: the service worker
 *  marks answers it served from its offline copy (X-Aftercare-Offline). */
/** @param {Response | null} res */
const connection = (res) => window.dispatchEvent(new CustomEvent('aftercare-connection', { detail: { online: !!res && !res.headers.get('X-Aftercare-Offline') } }));

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {Parameters<typeof request>[3]} [options]
 */
const call = (method, path, body, options = {}) => request(method, path, body, { ...options, onAnswer: connection });

const plan = (token) => `/api/p/${encodeURIComponent(token)}`;

export const getPlan = (token) => call('GET', plan(token));
export const erasePlan = (token) => call('DELETE', plan(token));
export const putPrefs = (token, prefs) => call('PUT', `${plan(token)}/prefs`, prefs);
// Revalidated every time: the app compares it with its subscription's key.
export const getPushKey = () => call('GET', '/api/push/key', undefined, { cache: 'no-cache' });
export const putSubscription = (token, sub) => call('PUT', `${plan(token)}/subscription`, sub);
export const deleteSubscription = (token, endpoint) => call('DELETE', `${plan(token)}/subscription`, { endpoint });
export const testPush = (token) => call('POST', `${plan(token)}/test-push`);
/** rotateCalendar retires the calendar feed's address and returns {calendar: {url, webcal}}. */
export const rotateCalendar = (token) => call('POST', `${plan(token)}/calendar/rotate`);
/** post sends a completion or check-in; kind is "completions" or "checkins". */
export const post = (token, kind, body, timeoutMs) => call('POST', `${plan(token)}/${kind}`, body, { timeoutMs });
