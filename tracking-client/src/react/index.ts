/** React entry: provider + hook, and everything of the framework-free entry. */
export { EventBusProvider, type EventBusProviderProps } from './EventBusProvider';
export { useEventBus } from './useEventBus';
export * from '../index';
