/**
 * Names the server and the dashboard share: event statuses, and the customer-information keys
 * that count towards matching. No imports: the dashboard (admin-ui) bundles this file.
 */

export const EVENT_STATUSES = ['queued', 'sending', 'delivered', 'retrying', 'failed', 'not_delivered', 'skipped', 'expired'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
/** What an admin retry (dashboard, `npm run replay`) may move back to queued: Meta refused them or attempts ran out. */
export const RETRYABLE: readonly EventStatus[] = ['failed', 'not_delivered'];
/** Waiting for delivery, not in flight: what a paused pixel parks. */
export const WAITING = ['queued', 'retrying'] as const satisfies readonly EventStatus[];
/** The backlog: waiting, or in flight (a `sending` whose lease ran out is claimed again). */
export const CLAIMABLE = [...WAITING, 'sending'] as const satisfies readonly EventStatus[];

/** User data keys the dashboard's match-quality panel counts. */
export const MATCH_KEYS = ['em', 'ph', 'fn', 'ln', 'external_id', 'fbp', 'fbc', 'client_ip_address', 'client_user_agent'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];
