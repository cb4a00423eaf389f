import { useContext } from 'react';
import type { Tracker } from '../core/tracker';
import { EventBusContext } from './context';

/** `track`, `pageView`, `setUser` and `consent` of the nearest EventBusProvider. */
export function useEventBus(): Tracker {
  return useContext(EventBusContext);
}
