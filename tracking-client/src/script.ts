/**
 * Script-tag build: `window.MetaTracking`, configured from the data- attributes of its own tag.
 *
 *   <script src="https://bus.example.com/meta-tracking.min.js" data-pixel-id="1234567890"></script>
 *
 * data-pixel-id (required), data-endpoint (default: <script origin>/v1/collect),
 * data-consent="revoked" (wait for MetaTracking.consent.grant()), data-page-view="false"
 * (no automatic PageView), data-pixel="false" (bus only), data-auto-config="false", data-debug="true".
 * Without a window (server-side rendering, Node) importing it does nothing.
 */
import { doc, win } from './core/globals';
import { createTracker, type Tracker } from './core/tracker';

export interface LegacyViewContent {
  contentName?: string;
  contentCategory?: string;
  userEmail?: string;
}

export interface MetaTrackingGlobal extends Tracker {
  /** The old integration's call, kept working: a ViewContent with the email as customer information (hashed here). */
  sendViewContentEvent(input: LegacyViewContent): string;
}

function fromScriptTag(): MetaTrackingGlobal | undefined {
  const script = (doc?.currentScript ?? doc?.querySelector('script[data-pixel-id]')) as HTMLScriptElement | null;
  const data = script?.dataset;
  if (!script || !data?.pixelId) {
    console.error('[meta-tracking] the script tag needs data-pixel-id; MetaTracking is not installed');
    return undefined;
  }
  const tracker = createTracker({
    pixelId: data.pixelId,
    endpoint: data.endpoint ?? new URL('/v1/collect', script.src || location.href).href,
    consent: data.consent === 'revoked' ? 'revoked' : 'granted',
    autoPageView: data.pageView !== 'false',
    pixel: data.pixel !== 'false',
    autoConfig: data.autoConfig !== 'false',
    debug: data.debug === 'true',
  });
  return {
    ...tracker,
    sendViewContentEvent: ({ contentName, contentCategory, userEmail }) =>
      tracker.track('ViewContent', { content_name: contentName, content_category: contentCategory }, userEmail ? { user: { email: userEmail } } : undefined),
  };
}

const w = win as (Window & { MetaTracking?: MetaTrackingGlobal }) | undefined;
if (w && !w.MetaTracking) w.MetaTracking = fromScriptTag();
