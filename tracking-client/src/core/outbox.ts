/**
 * Events waiting for the bus, kept in localStorage so they survive the page: one storage key
 * per event (`mcb:<pixel>:<event_name>:<event_id>`), so tabs never overwrite each other's
 * entries. Bounded in count, age and attempts; only hashed user data is ever stored.
 *
 * `nextAt` is when the item may be sent: now for a new event, a lease while a request is in
 * flight (so another tab or the next page leaves it alone), a backoff after a failure.
 */

/** An event in Meta's shape as `/v1/collect` takes it (user data already hashed). */
export interface BusEvent {
  event_name: string;
  event_time: number;
  event_id: string;
  event_source_url: string;
  referrer_url?: string;
  user_data: Record<string, string | string[]>;
  custom_data?: Record<string, unknown>;
}

export interface OutboxItem {
  key: string;
  event: BusEvent;
  createdAt: number;
  attempts: number;
  nextAt: number;
}

export interface OutboxLimits {
  /** Oldest items are dropped beyond this many. */
  maxItems: number;
  /** Items older than this are dropped (the bus refuses events older than 7 days). */
  maxAgeMs: number;
  /** Items are dropped after this many failed attempts. */
  maxAttempts: number;
}

export const DEFAULT_LIMITS: OutboxLimits = { maxItems: 100, maxAgeMs: 24 * 3600_000, maxAttempts: 10 };
/** How long an item being sent (or handed to sendBeacon) is left alone by other tabs and pages. */
export const LEASE_MS = 30_000;

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key'> & { readonly length: number };

/** Fallback when localStorage is unavailable: the queue then lives as long as the page. */
export class MemoryStorage implements StorageLike {
  private readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, String(v));
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

/** Delay before the next attempt after `attempts` failures: 2 s, 4 s, 8 s … capped at 10 min, ±20 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(2000 * 2 ** Math.max(0, attempts - 1), 600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class Outbox {
  constructor(
    private readonly storage: StorageLike,
    private readonly prefix: string,
    private readonly limits: OutboxLimits = DEFAULT_LIMITS,
  ) {}

  /** Stores a new event, due now; drops the oldest items beyond maxItems. */
  add(event: BusEvent, now: number): OutboxItem {
    const item: OutboxItem = { key: `${this.prefix}${event.event_name}:${event.event_id}`, event, createdAt: now, attempts: 0, nextAt: now };
    this.put(item);
    const all = this.list(now);
    for (const old of all.slice(0, Math.max(0, all.length - this.limits.maxItems))) this.remove(old.key);
    return item;
  }

  /** Every live item, oldest first; expired, exhausted or unreadable ones are removed on the way. */
  list(now: number): OutboxItem[] {
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k?.startsWith(this.prefix)) keys.push(k);
    }
    const items: OutboxItem[] = [];
    for (const k of keys) {
      const item = this.get(k);
      if (item && now - item.createdAt <= this.limits.maxAgeMs && item.attempts < this.limits.maxAttempts) items.push(item);
      else this.remove(k);
    }
    return items.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Items that may be sent now. */
  due(now: number): OutboxItem[] {
    return this.list(now).filter((i) => i.nextAt <= now);
  }

  get(key: string): OutboxItem | undefined {
    try {
      const raw = this.storage.getItem(key);
      const item = raw === null ? undefined : (JSON.parse(raw) as Partial<OutboxItem>);
      if (!item || typeof item.event !== 'object' || typeof item.createdAt !== 'number' || typeof item.attempts !== 'number' || typeof item.nextAt !== 'number') return undefined;
      return { ...(item as OutboxItem), key };
    } catch {
      return undefined;
    }
  }

  put(item: OutboxItem): void {
    try {
      const { key, ...rest } = item;
      this.storage.setItem(key, JSON.stringify(rest));
    } catch {
      // Quota exceeded or storage gone: the event is still sent from memory, it just cannot outlive the page.
    }
  }

  remove(key: string): void {
    try {
      this.storage.removeItem(key);
    } catch {
      // storage gone
    }
  }

  clear(): void {
    for (const item of this.list(0)) this.remove(item.key);
  }
}
