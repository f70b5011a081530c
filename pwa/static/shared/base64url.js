// @ts-check

/**
 * base64urlToBytes decodes URL-safe base64, padded or not: the server's VAPID public key
 * as pushManager.subscribe wants it (applicationServerKey).
 * @param {string} base64url
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function base64urlToBytes(base64url) {
  const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}
