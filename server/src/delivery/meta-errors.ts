/** What a Graph API call came back with, independent of how it was made. */
export interface GraphResponse {
  httpStatus: number | null; // null: no HTTP answer (network error, timeout)
  body: unknown;
  durationMs: number;
  networkError?: string;
}

export type Classification =
  | { kind: 'delivered'; eventsReceived: number; fbtraceId: string | null }
  | { kind: 'transient' | 'permanent' | 'token'; code: number | null; subcode: number | null; message: string; fbtraceId: string | null; isTransient: boolean | null };

/** Meta codes that mean "try again later": unknown/service errors, rate limits, temporary blocks. */
export const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613, 80003]);
/** 190: access token invalid or expired; 102: session key invalid. The pixel is paused, events kept. */
export const TOKEN_CODES = new Set([190, 102]);

interface GraphErrorBody {
  error?: { message?: string; code?: number; error_subcode?: number; is_transient?: boolean; fbtrace_id?: string; error_user_msg?: string };
  events_received?: number;
  fbtrace_id?: string;
}

/**
 * Classifies a Conversions API answer: delivered, transient (retry with backoff),
 * permanent (Meta rejected the event: keep its message) or token (pause the pixel).
 */
export function classify(res: GraphResponse): Classification {
  const body = (res.body && typeof res.body === 'object' ? res.body : {}) as GraphErrorBody;
  if (res.httpStatus === null) {
    return { kind: 'transient', code: null, subcode: null, message: res.networkError ?? 'network error', fbtraceId: null, isTransient: true };
  }
  if (res.httpStatus >= 200 && res.httpStatus < 300 && typeof body.events_received === 'number') {
    return { kind: 'delivered', eventsReceived: body.events_received, fbtraceId: body.fbtrace_id ?? null };
  }
  const err = body.error;
  const code = typeof err?.code === 'number' ? err.code : null;
  const subcode = typeof err?.error_subcode === 'number' ? err.error_subcode : null;
  const detail = err?.error_user_msg && err.error_user_msg !== err.message ? ` — ${err.error_user_msg}` : '';
  const message = err?.message ? `${err.message}${detail}` : `HTTP ${res.httpStatus} without a Graph error body`;
  const fbtraceId = err?.fbtrace_id ?? body.fbtrace_id ?? null;
  const base = { code, subcode, message, fbtraceId, isTransient: err?.is_transient ?? null };
  if (code !== null && TOKEN_CODES.has(code)) return { kind: 'token', ...base };
  if (res.httpStatus >= 500 || err?.is_transient === true || (code !== null && TRANSIENT_CODES.has(code)) || res.httpStatus === 429) {
    return { kind: 'transient', ...base };
  }
  if (res.httpStatus >= 200 && res.httpStatus < 300) {
    return { kind: 'transient', ...base, message: 'Graph API answered 2xx without events_received' };
  }
  return { kind: 'permanent', ...base };
}

/** Exponential backoff with equal jitter: half fixed, half random, capped. `attempt` counts from 1. */
export function backoffMs(attempt: number, policy: { baseBackoffMs: number; maxBackoffMs: number }, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
