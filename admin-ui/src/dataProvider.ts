import simpleRestProvider from 'ra-data-simple-rest';
import { HttpError, type DataProvider } from 'react-admin';
import { api, API_URL, httpClient } from './api';
import type { DashboardStats, RetryRun, TestEventResult } from './types';

/** Settings are one record, id 1 (`settings/1`). */
export const SETTINGS_ID = 1;

const rest = simpleRestProvider(API_URL, httpClient);

/**
 * API field names that API messages may mention ("must be at least retry_base_backoff_ms"), in
 * the words of the forms, so validation messages under a field read as sentences.
 */
const FIELD_WORDS: Record<string, Record<string, string>> = {
  settings: {
    retry_max_attempts: 'the number of attempts',
    retry_base_backoff_ms: 'the first wait',
    retry_max_backoff_ms: 'the longest wait',
    batch_size: 'the batch size',
    request_timeout_ms: 'the request timeout',
    retention_days: 'the retention',
  },
};

function inWords(resource: string, err: unknown): unknown {
  const words = FIELD_WORDS[resource];
  if (!words || !(err instanceof HttpError) || !err.body?.errors) return err;
  const say = (m: string) => Object.entries(words).reduce((text, [field, word]) => text.replaceAll(field, word), m);
  const errors = Object.fromEntries(Object.entries(err.body.errors as Record<string, string>).map(([k, v]) => [k, say(String(v))]));
  return new HttpError(say(err.message), err.status, { ...err.body, errors });
}

/**
 * ra-data-simple-rest on `/admin/api` (JSON `sort`/`range`/`filter`, `Content-Range`, PUT for
 * updates), plus the API's actions that are not CRUD. Components reach them with
 * `useDataProvider<BusDataProvider>()`.
 */
export const dataProvider = {
  ...rest,
  /** Settings are a singleton: whatever id a view asks for, it is settings/1. */
  getOne: (resource, params) => rest.getOne(resource, resource === 'settings' ? { ...params, id: SETTINGS_ID } : params),
  update: (resource, params) =>
    rest.update(resource, resource === 'settings' ? { ...params, id: SETTINGS_ID } : params).catch((err: unknown) => {
      throw inWords(resource, err);
    }),

  /** `POST events/retry`: failed / not_delivered among `ids` go back to queued now. */
  retryEvents: (ids: number[]) => api<{ requested: number; requeued: number }>('events/retry', { method: 'POST', body: { ids } }),
  /** `POST events/retry-matching`: a background retry run over every event the filter matches. */
  retryMatching: (filter: Record<string, unknown>) => api<RetryRun>('events/retry-matching', { method: 'POST', body: { filter } }),
  getRetryRun: (id: number) => api<RetryRun>(`retry-runs/${id}`),
  /** `POST pixels/:id/test-event`: a PageView through the normal pipeline. */
  sendTestEvent: (pixelId: number) => api<TestEventResult>(`pixels/${pixelId}/test-event`, { method: 'POST' }),
  /** `GET stats`: the dashboard numbers. */
  getStats: (q: { from?: number; to?: number; bucket?: 'hour' | 'day' }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (q.from !== undefined) params.set('from', String(q.from));
    if (q.to !== undefined) params.set('to', String(q.to));
    if (q.bucket) params.set('bucket', q.bucket);
    return api<DashboardStats>(`stats?${params.toString()}`, { signal });
  },
} satisfies DataProvider;

export type BusDataProvider = typeof dataProvider;
