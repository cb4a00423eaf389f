import { DEFAULT_LIMITS, LEASE_MS, MemoryStorage, Outbox, backoffMs, type BusEvent } from '../../tracking-client/src/core/outbox';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, batches, envelope, outcomeOf } from '../../tracking-client/src/core/transport';
import { BROWSER_MAX_EVENTS } from '../../server/src/events/router';

const T0 = 1_718_452_800_000;
const event = (id: string, extra: Partial<BusEvent> = {}): BusEvent => ({
  event_name: 'ViewContent',
  event_time: Math.floor(T0 / 1000),
  event_id: id,
  event_source_url: 'https://shop.example.com/p/1',
  user_data: { fbp: 'fb.1.1700000000000.1' },
  ...extra,
});

describe('outbox', () => {
  it('stores each event under its own key, due at once, oldest first', () => {
    const storage = new MemoryStorage();
    const box = new Outbox(storage, 'mcb:1:');
    box.add(event('b'), T0 + 1);
    box.add(event('a'), T0);
    expect(storage.length).toBe(2);
    expect(storage.getItem('mcb:1:ViewContent:a')).not.toBeNull();
    expect(box.due(T0 + 1).map((i) => i.event.event_id)).toEqual(['a', 'b']);
  });

  it('keeps different pixels apart and ignores foreign keys', () => {
    const storage = new MemoryStorage();
    storage.setItem('unrelated', 'x');
    new Outbox(storage, 'mcb:1:').add(event('a'), T0);
    new Outbox(storage, 'mcb:2:').add(event('b'), T0);
    expect(new Outbox(storage, 'mcb:1:').list(T0).map((i) => i.event.event_id)).toEqual(['a']);
    expect(storage.getItem('unrelated')).toBe('x');
  });

  it('is bounded in size: beyond maxItems the oldest are dropped', () => {
    const box = new Outbox(new MemoryStorage(), 'q:', { ...DEFAULT_LIMITS, maxItems: 3 });
    for (let i = 0; i < 5; i++) box.add(event(`e${i}`), T0 + i);
    expect(box.list(T0 + 10).map((i) => i.event.event_id)).toEqual(['e2', 'e3', 'e4']);
  });

  it('is bounded in age: items older than maxAgeMs are dropped from storage', () => {
    const storage = new MemoryStorage();
    const box = new Outbox(storage, 'q:', { ...DEFAULT_LIMITS, maxAgeMs: 60_000 });
    box.add(event('old'), T0);
    box.add(event('new'), T0 + 30_000);
    expect(box.list(T0 + 60_001).map((i) => i.event.event_id)).toEqual(['new']);
    expect(storage.length).toBe(1);
  });

  it('is bounded in attempts: an item is dropped after maxAttempts failures', () => {
    const box = new Outbox(new MemoryStorage(), 'q:', { ...DEFAULT_LIMITS, maxAttempts: 2 });
    const item = box.add(event('a'), T0);
    box.put({ ...item, attempts: 1 });
    expect(box.list(T0)).toHaveLength(1);
    box.put({ ...item, attempts: 2 });
    expect(box.list(T0)).toHaveLength(0);
  });

  it('defaults: 100 items, 24 hours (well inside the bus 7-day window), 10 attempts', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxItems: 100, maxAgeMs: 24 * 3600_000, maxAttempts: 10 });
  });

  it('a leased or backing-off item is not due until its time', () => {
    const box = new Outbox(new MemoryStorage(), 'q:');
    const item = box.add(event('a'), T0);
    box.put({ ...item, nextAt: T0 + LEASE_MS });
    expect(box.due(T0 + LEASE_MS - 1)).toHaveLength(0);
    expect(box.due(T0 + LEASE_MS)).toHaveLength(1);
  });

  it('drops unreadable entries instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem('q:bad', '{not json');
    storage.setItem('q:half', JSON.stringify({ event: event('x') }));
    const box = new Outbox(storage, 'q:');
    expect(box.list(T0)).toEqual([]);
    expect(storage.length).toBe(0);
  });

  it('survives a storage that throws (quota, private mode)', () => {
    const storage = new MemoryStorage();
    storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const box = new Outbox(storage, 'q:');
    expect(() => box.add(event('a'), T0)).not.toThrow();
  });

  it('clear() removes every item of this outbox only', () => {
    const storage = new MemoryStorage();
    const box = new Outbox(storage, 'q:');
    box.add(event('a'), T0);
    storage.setItem('other', '1');
    box.clear();
    expect(storage.length).toBe(1);
  });
});

describe('backoff', () => {
  it('doubles from 2 s, capped at 10 minutes, with ±20 % jitter', () => {
    expect(backoffMs(1, () => 0.5)).toBe(2000);
    expect(backoffMs(2, () => 0.5)).toBe(4000);
    expect(backoffMs(5, () => 0.5)).toBe(32_000);
    expect(backoffMs(30, () => 0.5)).toBe(600_000);
    expect(backoffMs(1, () => 0)).toBe(1600);
    expect(backoffMs(1, () => 0.999999)).toBe(2400);
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(3);
      expect(d).toBeGreaterThanOrEqual(6400);
      expect(d).toBeLessThanOrEqual(9600);
    }
  });
});

describe('transport', () => {
  it('batches within the bus browser limit of 50 events', () => {
    expect(MAX_BATCH_EVENTS).toBe(BROWSER_MAX_EVENTS);
    const items = Array.from({ length: 120 }, (_, i) => ({ event: event(`e${i}`) }));
    const out = batches(items);
    expect(out.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(out.flat().map((i) => i.event.event_id)).toEqual(items.map((i) => i.event.event_id));
  });

  it('batches within 60 kB so each request fits the 64 kB body, keepalive and beacon limits', () => {
    const big = (id: string) => ({ event: event(id, { custom_data: { content_name: 'é'.repeat(10_000) } }) });
    const out = batches(Array.from({ length: 10 }, (_, i) => big(`b${i}`)));
    expect(out.length).toBeGreaterThan(1);
    for (const b of out) expect(Buffer.byteLength(envelope('1234567890123', b.map((i) => i.event)))).toBeLessThan(MAX_BATCH_BYTES + 100);
  });

  it('sends the pixel id and the events as { pixel_id, data }', () => {
    expect(JSON.parse(envelope('123456', [event('a')]))).toEqual({ pixel_id: '123456', data: [event('a')] });
  });

  it('retries network errors, timeouts, rate limits and 5xx; never retries what the bus refused', () => {
    expect(outcomeOf(202)).toBe('sent');
    expect(outcomeOf(200)).toBe('sent');
    for (const s of [0, 408, 425, 429, 500, 502, 503]) expect(outcomeOf(s)).toBe('retry');
    for (const s of [400, 403, 404, 413]) expect(outcomeOf(s)).toBe('rejected');
  });
});
