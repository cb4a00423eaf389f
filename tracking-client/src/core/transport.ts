/**
 * Talking to `POST /v1/collect`: a text/plain body (a CORS "simple" request, no preflight, and
 * what sendBeacon sends), `{ pixel_id, data: [events] }`, at most 50 events and 60 kB per request
 * (the bus takes 50 events / 64 kB from browsers; keepalive requests and beacons are limited to 64 kB).
 */
import type { BusEvent } from './outbox';

export const MAX_BATCH_EVENTS = 50;
export const MAX_BATCH_BYTES = 60_000;

export type Outcome = 'sent' | 'rejected' | 'retry';

/**
 * What a response means for the events in it. 2xx: accepted (some may be reported invalid by
 * index; resending would not fix them). 400 and other 4xx: the bus refused them for good
 * (invalid, undefined event, origin not allowed). 408/425/429, 5xx and network errors (status 0): try again later.
 */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'rejected';
}

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/** Splits items into requests within the event-count and size limits, order kept. A single oversized event goes alone (and will be refused). */
export function batches<T extends { event: BusEvent }>(items: readonly T[], maxEvents = MAX_BATCH_EVENTS, maxBytes = MAX_BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = byteLength(JSON.stringify(item.event)) + 1;
    if (current.length && (current.length >= maxEvents || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

export function envelope(pixelId: string, events: readonly BusEvent[]): string {
  return JSON.stringify({ pixel_id: pixelId, data: events });
}

export interface PostResult {
  /** HTTP status, 0 for a network error or timeout. */
  status: number;
  body?: unknown;
}

export async function post(endpoint: string, body: string, timeoutMs = 15_000): Promise<PostResult> {
  if (typeof fetch !== 'function') return { status: 0 };
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain' },
      keepalive: body.length < 64_000,
      signal: controller?.signal,
    });
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  } catch {
    return { status: 0 };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Hands the request to the browser to send even as the page goes away. False when the browser refused it. */
export function beacon(endpoint: string, body: string, nav: Navigator | undefined): boolean {
  try {
    return typeof nav?.sendBeacon === 'function' && nav.sendBeacon(endpoint, body);
  } catch {
    return false;
  }
}
