/** Framework-free ES module entry. React users import from `@metaconversions/tracking-client/react`. */
export { createTracker, getTracker, NOOP_TRACKER, type Consent, type TrackArgs, type Tracker, type TrackerConfig, type TrackOptions } from './core/tracker';
export { STANDARD_EVENTS, isStandardEvent, type Content, type CustomData, type EventData, type StandardEventData, type StandardEventName } from './core/events';
export type { UserData, UserKey, UserValue } from './core/hash';
export type { PixelLoader, PixelOptions } from './core/pixel';
export type { OutboxLimits } from './core/outbox';
