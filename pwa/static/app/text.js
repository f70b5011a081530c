// @ts-check
// Small text helpers for the client app's screens.

/**
 * firstName is the first word of a name ("" for none).
 * @param {string | null | undefined} name
 */
export const firstName = (name) => (name || '').trim().split(/\s+/)[0] || '';

/**
 * plural(3, 'stretch', 'stretches') → "3 stretches".
 * @param {number} n
 * @param {string} one
 * @param {string} many
 */
export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
