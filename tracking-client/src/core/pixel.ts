/**
 * Meta Pixel (`fbq`). The bus client never passes the Pixel plaintext customer data: advanced
 * matching gets the same SHA-256 values the bus gets.
 */

export interface Fbq {
  (...args: unknown[]): void;
  callMethod?: (...args: unknown[]) => void;
  queue: unknown[];
  push: Fbq;
  loaded: boolean;
  version: string;
}

export type FbqWindow = Window & { fbq?: Fbq; _fbq?: Fbq };

export interface PixelOptions {
  autoConfig: boolean;
  debug: boolean;
}

/** Initialises the Pixel for a pixel id; may be async (the React build loads react-facebook-pixel lazily). */
export type PixelLoader = (pixelId: string, advancedMatching: Record<string, string>, options: PixelOptions) => void | Promise<void>;

export const FBEVENTS_URL = 'https://connect.facebook.net/en_US/fbevents.js';

/** Meta's Pixel base code, typed: a queueing `fbq` stub plus the async fbevents.js script. Does nothing when fbq exists. */
export function installFbq(w: FbqWindow, d: Document, src: string = FBEVENTS_URL): Fbq {
  if (w.fbq) return w.fbq;
  const n = function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params -- Meta's queue holds `arguments` objects
    if (n.callMethod) n.callMethod.apply(n, arguments as unknown as unknown[]);
    else n.queue.push(arguments);
  } as Fbq;
  w.fbq = n;
  w._fbq ??= n;
  n.push = n;
  n.loaded = true;
  n.version = '2.0';
  n.queue = [];
  const t = d.createElement('script');
  t.async = true;
  t.src = src;
  const s = d.getElementsByTagName('script')[0];
  if (s?.parentNode) s.parentNode.insertBefore(t, s);
  else d.head.appendChild(t);
  return n;
}

/** The plain-script build's loader: Meta's base code, then `init`. */
export const snippetLoader: PixelLoader = (pixelId, advancedMatching, options) => {
  const fbq = installFbq(window, document);
  if (!options.autoConfig) fbq('set', 'autoConfig', false, pixelId);
  fbq('init', pixelId, advancedMatching);
};
