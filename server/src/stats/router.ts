import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import { timestamp, zodToValidation } from '../admin/list-query';
import { BUCKET_MS, MAX_BUCKETS, type DashboardQuery, type StatsService } from './service';

/** Query parameters as strings: digits are epoch ms, anything else an ISO 8601 date. */
const asTime = (bound: 'from' | 'until') =>
  z
    .string()
    .max(40)
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
    .pipe(timestamp(bound));

const StatsQuery = z.strictObject({
  from: asTime('from').optional(),
  to: asTime('until').optional(),
  bucket: z.enum(['hour', 'day'], { error: 'must be hour or day' }).optional(),
});

/**
 * `GET /admin/api/stats?from=&to=&bucket=hour|day`. Defaults: the last 24 hours by hour; a range
 * without `bucket` longer than 2 days is counted by day.
 */
export function parseStatsQuery(query: unknown, now: number): DashboardQuery {
  const parsed = StatsQuery.safeParse(query);
  if (!parsed.success) throw zodToValidation(parsed.error, undefined, 'Invalid stats query');
  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - 86_400_000 + 1;
  if (from > to) throw new ValidationError('from must be before to', { from: 'must be before to' });
  const bucket = parsed.data.bucket ?? (to - from > 2 * 86_400_000 ? 'day' : 'hour');
  if ((to - from) / BUCKET_MS[bucket] > MAX_BUCKETS[bucket]) {
    throw new ValidationError(`At most ${MAX_BUCKETS[bucket]} ${bucket} buckets per request`, { from: `the range spans more than ${MAX_BUCKETS[bucket]} ${bucket}s; narrow it or use bucket=day` });
  }
  return { from, to, bucket };
}

export function statsRouter(stats: StatsService) {
  const dashboard: RequestHandler = async (req, res) => {
    res.json(await stats.dashboard(parseStatsQuery(req.query, Date.now())));
  };
  return { dashboard };
}
