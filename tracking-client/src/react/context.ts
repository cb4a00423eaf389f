import { createContext } from 'react';
import { NOOP_TRACKER, type Tracker } from '../core/tracker';

/** Without a provider (or on the server) the hook gets a tracker that does nothing. */
export const EventBusContext = createContext<Tracker>(NOOP_TRACKER);
EventBusContext.displayName = 'EventBusContext';
