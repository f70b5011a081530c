// The server API, same origin. Every call returns parsed JSON (or null) or throws an ApiError.

/** ApiError carries the HTTP status (0 = no network), the server's message and, for a plan limit, its name. */
export class ApiError extends Error {
  constructor(status, message, limit = '') {
    super(message);
    this.status = status;
    this.limit = limit;
  }
}

/** connection tells the app whether the last request reached the server. */
const connection = (online) => window.dispatchEvent(new CustomEvent('aftercare-connection', { detail: { online } }));

async function call(method, path, body, { timeoutMs = 0, ...init } = {}) {
  // A request that hangs counts as no connection after timeoutMs (if given).
  const abort = timeoutMs && typeof AbortController === 'function' ? new AbortController() : null;
  const timer = abort && setTimeout(() => abort.abort(), timeoutMs);
  let res;
  let text;
  try {
    try {
      res = await fetch(path, {
        ...init,
        method,
        credentials: 'same-origin',
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort ? abort.signal : undefined,
      });
      text = await res.text();
    } catch {
      connection(false);
      throw new ApiError(0, 'No connection');
    }
  } finally {
    clearTimeout(timer);
  }
  // The service worker marks answers it served from its offline copy.
  connection(!res.headers.get('X-Aftercare-Offline'));
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page: keep data null.
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `Request failed (${res.status})`, res.headers.get('X-Aftercare-Limit') || '');
  return data;
}

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
