/**
 * Pixel initialisation through react-facebook-pixel. It is imported lazily, in the browser only:
 * its UMD bundle reads `window` as soon as it is evaluated, which would crash server-side rendering.
 * Its own `track` cannot pass an eventID, so events go through the `fbq` global it installs.
 */
import type { PixelLoader } from '../core/pixel';

interface ReactPixelApi {
  init(pixelId: string, advancedMatching?: object, options?: { autoConfig: boolean; debug: boolean }): void;
}

/** The module object differs between bundlers and Node's CJS interop: find the object with init(). */
function pixelApi(mod: unknown): ReactPixelApi {
  let m = mod;
  for (let depth = 0; depth < 3 && m && typeof m === 'object'; depth++) {
    if (typeof (m as Partial<ReactPixelApi>).init === 'function') return m as ReactPixelApi;
    m = (m as { default?: unknown }).default;
  }
  throw new Error('react-facebook-pixel did not expose init()');
}

export const reactPixelLoader: PixelLoader = async (pixelId, advancedMatching, options) => {
  pixelApi(await import('react-facebook-pixel')).init(pixelId, advancedMatching, options);
};
