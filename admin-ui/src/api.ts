import { fetchUtils, HttpError } from 'react-admin';

/** The admin REST API, beside the SPA: `/admin/api` (the SPA's base is `/admin/`). */
export const API_URL = `${import.meta.env.BASE_URL.replace(/\/$/, '')}/api`;

/**
 * CSRF defence of the API (server/src/auth/guards.ts): every state-changing request must carry
 * this header, which a cross-site form cannot set. Sent on every request, reads included.
 */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_VALUE = 'XMLHttpRequest';

/** An API error body: `{ code, message, errors: { field: message } }`. */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  errors?: Record<string, string>;
}

/**
 * `fetchUtils.fetchJson` with the session cookie, the CSRF header, and errors in words:
 * HttpError's message is the API's `message`, its body keeps `errors` for the form fields.
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
  const headers = new Headers(options.headers ?? { Accept: 'application/json' });
  headers.set(CSRF_HEADER, CSRF_VALUE);
  try {
    return await fetchUtils.fetchJson(url, { ...options, headers, credentials: 'include' });
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // A request the page cancelled itself (navigation, a newer query) is not a failure.
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    // fetch() itself failed: the server is down or the network is gone.
    throw new HttpError('The dashboard cannot reach the server. Check your connection, or ask an engineer whether the bus is running.', 0, {});
  }
}

/** A JSON call to `API_URL/<path>`; resolves to the parsed body. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const { json } = await httpClient(`${API_URL}/${path}`, {
    method: init.method ?? 'GET',
    signal: init.signal,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return json as T;
}

/** The human message of any error the API or the browser produced. */
export function errorMessage(err: unknown, fallback = 'Something went wrong; try again.'): string {
  if (err instanceof HttpError) return err.message || fallback;
  if (err instanceof Error) return err.message || fallback;
  if (typeof err === 'string') return err;
  return fallback;
}
