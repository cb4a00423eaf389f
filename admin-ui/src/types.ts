/**
 * The admin API's records and the event vocabulary, defined once on the server (the record
 * builders are typed with them) and read here.
 */
export * from '../../server/src/admin/records';
export { RETRYABLE as RETRYABLE_STATUSES, type EventStatus, type MatchKey } from '../../server/src/events/vocabulary';
export type { RetryRunRecord as RetryRun } from '../../server/src/admin/records';
