// @ts-check
// The core of every call to the server's JSON API (same origin), for the client app and
// the therapist workspace: each wraps it with what only it needs (the workspace's CSRF
// header and login redirect, the client's offline banner).

/** ApiError carries the HTTP status (0 = no answer), the server's message and the language
 *  it is written in (Content-Language; none: English), and, for a refusal, the plan limit
 *  that refused (X-Aftercare-Limit) and Retry-After. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {{limit?: string, retryAfter?: string | null, language?: string}} [extra]
   */
  constructor(status, message, { limit = '', retryAfter = null, language = '' } = {}) {
    super(message);
    this.status = status;
    this.limit = limit;
    this.retryAfter = retryAfter;
    this.language = language;
  }
}

/**
 * @typedef {object} CallOptions
 * @property {Record<string, string>} [headers] sent with the request
 * @property {number} [timeoutMs] a request that hangs counts as no answer after this long (0: never)
 * @property {RequestCache} [cache] the fetch cache mode
 * @property {string} [offline] the error's message when no answer came
 * @property {(res: Response | null) => void} [onAnswer] sees each answer (null: none came) before it is read
 */

/**
 * call sends one request, the body as JSON, and returns the parsed answer (null when empty)
 * or throws an ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {CallOptions} [options]
 * @returns {Promise<any>}
 */
export async function call(method, path, body, { headers = {}, timeoutMs = 0, cache, offline = 'No connection', onAnswer } = {}) {
  const abort = timeoutMs && typeof AbortController === 'function' ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : undefined;
  let res;
  let text;
  try {
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        cache,
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort ? abort.signal : undefined,
      });
      text = await res.text();
    } catch {
      onAnswer?.(null);
      throw new ApiError(0, offline);
    }
  } finally {
    clearTimeout(timer);
  }
  onAnswer?.(res);
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page: keep data null.
  }
  if (!res.ok) {
    throw new ApiError(res.status, (data && data.error) || `Request failed (${res.status})`,
      { limit: res.headers.get('X-Aftercare-Limit') || '', retryAfter: res.headers.get('Retry-After'), language: res.headers.get('Content-Language') || '' });
  }
  return data;
}
