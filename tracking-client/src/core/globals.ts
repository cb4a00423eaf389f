/**
 * Browser globals read through guards (posthog-js style): under server-side rendering,
 * in workers or in Node these are undefined and every caller does nothing.
 */
export const win: (Window & typeof globalThis) | undefined = typeof window !== 'undefined' ? window : undefined;
export const doc: Document | undefined = win?.document;
export const nav: Navigator | undefined = win?.navigator;

/** localStorage, or undefined when it is missing or throws (disabled cookies, Safari private mode, sandboxed iframes). */
export function localStorageOrUndefined(): Storage | undefined {
  try {
    const s = win?.localStorage;
    if (!s) return undefined;
    const probe = '__mcb_probe__';
    s.setItem(probe, probe);
    s.removeItem(probe);
    return s;
  } catch {
    return undefined;
  }
}
