/**
 * Defaults of the redirect flow's targets when CERTIFICATION_REDIRECT_SUCCESS_URL /
 * CERTIFICATION_REDIRECT_FAILURE_URL are unset: paths on the api's own origin, so a front end
 * served from the same origin works without configuration (and nothing is sent elsewhere).
 */
export const DEFAULT_REDIRECT_SUCCESS_URL = '/certification/success';
export const DEFAULT_REDIRECT_FAILURE_URL = '/certification/failure';

/**
 * Appends query parameters to an absolute URL or a same-origin path, keeping its own query
 * and moving nothing out of the fragment: `/done?x=1#top` + {imp_uid} -> `/done?x=1&imp_uid=...#top`.
 * Values are percent-encoded. Only ever called with non-personal values (imp_uid, error codes).
 */
export function appendQuery(url: string, params: Record<string, string | undefined>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  if (query === '') return url;
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${query}${hash}`;
}

/** Accepts an absolute http(s) URL or a path starting with a single `/` (not `//host`). */
export function isAcceptableRedirectTarget(url: unknown): url is string {
  if (typeof url !== 'string' || url.length === 0 || /[\s\u0000-\u001f]/.test(url)) return false;
  if (url.startsWith('/')) return !url.startsWith('//') && !url.startsWith('/\\');
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
