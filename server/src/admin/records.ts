/**
 * The records of the admin API, as the server builds them (`*Record()` in this folder,
 * users/router.ts, the stats and pixel services) and the dashboard reads them
 * (admin-ui/src/types.ts re-exports this file). Field names are the API's (snake_case); times are
 * epoch ms. Type imports only: the dashboard bundles this file.
 */
import type { EventStatus, MatchKey } from '../events/vocabulary';

export interface EventRecord {
  id: number;
  pixel_id: number;
  event_name: string;
  event_id: string;
  event_time: number;
  action_source: string;
  source: 'browser' | 'server';
  status: EventStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_error_code: number | null;
  last_error_subcode: number | null;
  last_error_message: string | null;
  fbtrace_id: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface DeliveryAttempt {
  id: number;
  attempted_at: number;
  outcome: string;
  http_status: number | null;
  error_code: number | null;
  error_subcode: number | null;
  is_transient: boolean | null;
  message: string | null;
  fbtrace_id: string | null;
  duration_ms: number;
  batch_size: number;
}

export interface EventDetailRecord extends EventRecord {
  /** What was stored and is sent to Meta: user data already hashed. */
  payload: object;
  delivery_attempts: DeliveryAttempt[];
}

export type StatusCounts = Record<EventStatus | 'total', number>;

export interface DefinitionRecord {
  id: number;
  name: string;
  description: string;
  is_standard: boolean;
  enabled: boolean;
  created_at: number;
  updated_at: number;
  counts_24h: StatusCounts;
  counts_7d: StatusCounts;
}

export interface PixelRecord {
  id: number;
  dataset_id: string;
  name: string;
  enabled: boolean;
  allowed_origins: string[];
  test_event_code: string | null;
  test_event_code_expires_at: number | null;
  test_event_code_active: boolean;
  has_access_token: boolean;
  /** `…last4`: the token itself is write-only. */
  access_token_hint: string | null;
  paused: boolean;
  paused_reason: string | null;
  paused_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ApiKeyRecord {
  id: number;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked: boolean;
  /** Only in the answer to create. */
  key?: string;
}

export interface UserRecord {
  id: number;
  email: string;
  role: 'admin' | 'viewer';
  disabled: boolean;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface SettingsRecord {
  id: 1;
  retry_max_attempts: number;
  retry_base_backoff_ms: number;
  retry_max_backoff_ms: number;
  batch_size: number;
  request_timeout_ms: number;
  retention_days: number;
}

export interface RetryRunRecord {
  id: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  /** The event filter the run re-queues (statuses limited to the retryable ones). */
  filter: object;
  total: number;
  processed: number;
  requeued: number;
  /** 0…1 */
  progress: number;
  error: string | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** The answer to "Send test event" (dashboard and `npm run pixel -- test`). */
export interface TestEventResult {
  /** The stored event's row id (null if it could not be read back). */
  id: number | null;
  pixel_id: number;
  event_id: string;
  event_name: string;
  status: string;
  test_event_code: string | null;
  warnings: string[];
}

export interface DashboardStats {
  /** react-admin's record id: the dashboard is one record. */
  id: 'dashboard';
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  generated_at: number;
  totals: Record<EventStatus, number>;
  current: Record<EventStatus, number>;
  series: Array<{ t: number } & Record<EventStatus, number>>;
  latency: { delivered: number; p50_ms: number | null; p95_ms: number | null };
  top_errors: Array<{ error_code: number | null; error_subcode: number | null; message: string | null; events: number; last_seen_at: number }>;
  paused_pixels: Array<{ id: number; dataset_id: string; name: string; paused_reason: string | null; paused_at: number | null; waiting_events: number }>;
  active_test_event_codes: Array<{ id: number; dataset_id: string; name: string; test_event_code: string; expires_at: number | null }>;
  match_keys: {
    keys: readonly MatchKey[];
    sample_limit: number;
    sampled_events: number;
    by_event: Array<{ event_name: string; events: number; counts: Record<MatchKey, number>; coverage: Record<MatchKey, number> }>;
  };
}
