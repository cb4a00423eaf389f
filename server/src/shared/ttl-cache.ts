/**
 * A tiny read-through cache with a time-to-live, for lookups on the intake hot path (pixels,
 * event definitions). `clear()` makes a change effective at once in this process; other
 * processes see it within the TTL.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; at: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.entries.set(key, { value, at: this.now() });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value as K);
    return value;
  }

  has(key: K): boolean {
    const hit = this.entries.get(key);
    return hit !== undefined && this.now() - hit.at < this.ttlMs;
  }

  clear(): void {
    this.entries.clear();
  }
}
