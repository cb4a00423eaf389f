/**
 * Meta's browser identifiers. `_fbp` and `_fbc` are first-party cookies the Pixel writes; the bus
 * may run on another site where it cannot read them, so the client sends them in user_data.
 * Pure functions over strings so they are testable without a DOM.
 */

/** The same rule the bus applies to `fbc` (server/src/events/schemas.ts FBC_PATTERN): a malformed one would get the event rejected. */
export const FBC_PATTERN = /^fb\.\d\.\d{10,13}\.\S+$/;

/** Value of a cookie in a `document.cookie` string, undefined when absent or empty. Values are returned as stored (not decoded). */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The `fbclid` query parameter exactly as it appears in the URL (no decoding, no re-encoding), undefined when absent or empty. */
export function fbclidFromUrl(href: string): string | undefined {
  const query = href.split('#')[0] ?? '';
  return /[?&]fbclid=([^&#]+)/.exec(query)?.[1];
}

/** Meta's fbc format for a click id: `fb.1.<creation time in ms>.<fbclid>`. */
export function fbcFromFbclid(fbclid: string, nowMs: number): string {
  return `fb.1.${nowMs}.${fbclid}`;
}

export interface BrowserIds {
  fbp?: string;
  fbc?: string;
  /** True when fbc was built from the URL (no `_fbc` cookie yet): the caller may persist it. */
  fbcFromUrl: boolean;
}

/**
 * fbp from `_fbp`; fbc from `_fbc`, else built from an `fbclid` in the URL. A malformed `_fbc`
 * is ignored (as if absent) rather than sent and rejected.
 */
export function browserIds(cookieString: string, href: string, nowMs: number): BrowserIds {
  const fbp = readCookie(cookieString, '_fbp');
  const cookieFbc = readCookie(cookieString, '_fbc');
  if (cookieFbc !== undefined && FBC_PATTERN.test(cookieFbc)) return { fbp, fbc: cookieFbc, fbcFromUrl: false };
  const fbclid = fbclidFromUrl(href);
  if (fbclid === undefined) return { fbp, fbcFromUrl: false };
  const fbc = fbcFromFbclid(fbclid, nowMs);
  return FBC_PATTERN.test(fbc) ? { fbp, fbc, fbcFromUrl: true } : { fbp, fbcFromUrl: false };
}

/** `_fbc` cookie as Meta's Pixel writes it: 90 days, whole site, first-party. */
export function fbcCookie(fbc: string, secure: boolean): string {
  return `_fbc=${fbc}; Max-Age=${90 * 24 * 3600}; Path=/; SameSite=Lax${secure ? '; Secure' : ''}`;
}
