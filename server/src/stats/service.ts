import type { EventQueryRepository } from '../events/query-repository';
import type { DashboardStats } from '../admin/records';
import { EVENT_STATUSES, MATCH_KEYS, type EventStatus, type MatchKey } from '../events/vocabulary';
import { activeTestEventCode, type PixelRepository } from '../pixels/repository';

export type Bucket = 'hour' | 'day';
export const BUCKET_MS: Record<Bucket, 3_600_000 | 86_400_000> = { hour: 3_600_000, day: 86_400_000 };
/** At most this many buckets per answer (a month of hours, a bit more than a year of days). */
export const MAX_BUCKETS: Record<Bucket, number> = { hour: 24 * 31, day: 400 };
/** Match-key coverage reads the most recent events of the range, at most this many. */
export const MATCH_SAMPLE_LIMIT = 50_000;
const TOP_ERRORS = 10;

type StatusCounts = Record<EventStatus, number>;
const zero = (): StatusCounts => Object.fromEntries(EVENT_STATUSES.map((s) => [s, 0])) as StatusCounts;

export interface DashboardQuery {
  from: number;
  to: number;
  bucket: Bucket;
}

/**
 * Dashboard numbers, computed in SQL on both dialects and bounded: a time range with a cap on the
 * number of buckets, a LIMIT on errors, and a sample cap on the JSON scan for match keys.
 * Time buckets are UTC and group events by when the bus received them (`created_at`), with their
 * status as it is now.
 */
export class StatsService {
  constructor(
    private readonly query: EventQueryRepository,
    private readonly pixels: PixelRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async dashboard(q: DashboardQuery): Promise<DashboardStats> {
    const bucketMs = BUCKET_MS[q.bucket];
    const [series, totals, current, latency, errors, allPixels, matchKeys] = await Promise.all([
      this.query.statusSeries(q.from, q.to, bucketMs),
      this.query.countsByStatus(q.from, q.to),
      this.query.countsByStatus(),
      this.query.deliveryLatency(q.from, q.to, [0.5, 0.95]),
      this.query.topErrors(q.from, q.to, TOP_ERRORS),
      this.pixels.list(),
      this.query.matchKeyCounts(q.from, q.to, MATCH_SAMPLE_LIMIT),
    ]);

    const buckets = new Map<number, StatusCounts>();
    for (let t = Math.floor(q.from / bucketMs) * bucketMs; t <= q.to; t += bucketMs) buckets.set(t, zero());
    for (const r of series) {
      const b = buckets.get(r.bucket);
      if (b) b[r.status] = (b[r.status] ?? 0) + r.n;
    }

    const paused = allPixels.filter((p) => p.pausedAt !== null);
    const waiting = await this.query.waitingByPixel(paused.map((p) => p.id));
    const now = this.now();

    return {
      id: 'dashboard',
      from: q.from,
      to: q.to,
      bucket: q.bucket,
      generated_at: now,
      /** Events received in the range, by their current status. */
      totals: { ...zero(), ...totals },
      /** All stored events by status right now (backlog: queued + retrying + sending; not_delivered; failed). */
      current: { ...zero(), ...current },
      series: [...buckets.entries()].map(([t, counts]) => ({ t, ...counts })),
      latency: { delivered: latency.count, p50_ms: latency.values[0] ?? null, p95_ms: latency.values[1] ?? null },
      top_errors: errors.map((e) => ({ error_code: e.code, error_subcode: e.subcode, message: e.message, events: e.events, last_seen_at: e.lastSeenAt })),
      paused_pixels: paused.map((p) => ({ id: p.id, dataset_id: p.datasetId, name: p.name, paused_reason: p.pausedReason, paused_at: p.pausedAt, waiting_events: waiting.get(p.id) ?? 0 })),
      active_test_event_codes: allPixels.flatMap((p) => {
        const code = activeTestEventCode(p, now);
        return code ? [{ id: p.id, dataset_id: p.datasetId, name: p.name, test_event_code: code, expires_at: p.testEventCodeExpiresAt }] : [];
      }),
      match_keys: {
        keys: MATCH_KEYS,
        sample_limit: MATCH_SAMPLE_LIMIT,
        sampled_events: matchKeys.sampled,
        by_event: matchKeys.byEvent.map((e) => ({
          event_name: e.eventName,
          events: e.events,
          counts: e.keys,
          coverage: Object.fromEntries(MATCH_KEYS.map((k) => [k, e.events ? round(e.keys[k] / e.events) : 0])) as Record<MatchKey, number>,
        })),
      },
    };
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
