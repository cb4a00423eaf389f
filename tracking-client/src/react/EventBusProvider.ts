import { createElement, useEffect, useMemo, type ReactElement, type ReactNode } from 'react';
import { getTracker, type TrackerConfig } from '../core/tracker';
import { EventBusContext } from './context';
import { reactPixelLoader } from './reactPixelLoader';

export interface EventBusProviderProps extends Omit<TrackerConfig, 'pixel'> {
  children?: ReactNode;
  /** false: send to the bus only, without Meta's Pixel. Default true (initialised through react-facebook-pixel). */
  pixel?: boolean;
}

/**
 * Starts one tracker per pixel and endpoint (during the first render, so children can track
 * in their own effects, which React runs before the provider's) and hands it to useEventBus().
 * Props other than pixelId, endpoint and consent are read once. Renders nothing of its own;
 * on the server it does nothing.
 */
export function EventBusProvider({ children, pixel = true, consent, ...config }: EventBusProviderProps): ReactElement {
  const { pixelId, endpoint } = config;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- later changes of the other props are ignored by design
  const tracker = useMemo(() => getTracker({ ...config, consent, pixel: pixel && reactPixelLoader }), [pixelId, endpoint]);
  useEffect(() => {
    if (consent === 'granted') tracker.consent.grant();
    else if (consent === 'revoked') tracker.consent.revoke();
  }, [tracker, consent]);
  return createElement(EventBusContext.Provider, { value: tracker }, children);
}
