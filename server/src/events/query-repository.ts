import type { Knex } from 'knex';
import { dialectOf, type Db } from '../shared/db';
import { likeEscape, type ListQuery, type Page } from '../admin/list-query';
import type { Source, StoredEvent } from './schemas';
import { CLAIMABLE, MATCH_KEYS, type EventStatus, type MatchKey } from './vocabulary';
import type { AttemptRecord, EventRecord } from './repository';

/**
 * Read side of `events` and `delivery_attempts` for the dashboard: filtered, sorted, paginated
 * lists, event detail, retry selection and the dashboard aggregates. Every query is bounded
 * (a page, a time range, a LIMIT) and every value from a request is a bound parameter; sort
 * columns come only from EVENT_SORTABLE.
 */

/** A validated events filter (arrays already normalized). */
export interface EventFilter {
  id?: number[];
  status?: EventStatus[];
  event_name?: string[];
  pixel_id?: number[];
  source?: Source;
  action_source?: string[];
  created_at_gte?: number;
  created_at_lte?: number;
  event_id?: string;
  /** Meta error code of the last failed attempt. */
  last_error_code?: number[];
  /** event_id prefix. */
  q?: string;
}

/** API sort field → column. */
export const EVENT_SORTABLE: Record<string, string> = {
  id: 'id',
  created_at: 'created_at',
  updated_at: 'updated_at',
  event_time: 'event_time',
  event_name: 'event_name',
  event_id: 'event_id',
  status: 'status',
  source: 'source',
  pixel_id: 'pixel_id',
  attempts: 'attempts',
  next_attempt_at: 'next_attempt_at',
  delivered_at: 'delivered_at',
  last_error_code: 'last_error_code',
};

/** An event without its payload and lease: what lists show. */
export type EventSummary = Omit<EventRecord, 'payload' | 'leaseOwner'>;

export interface EventDetail extends EventSummary {
  payload: StoredEvent;
}

/** A stored attempt as the dashboard reads it: the written record (AttemptRecord) with its row id. */
export type AttemptDetail = Omit<AttemptRecord, 'eventRowId' | 'outcome'> & { id: number; outcome: string };

type Row = Record<string, unknown>;
const TABLE = 'events';
const ATTEMPTS = 'delivery_attempts';
const SUMMARY_COLUMNS = [
  'id', 'pixel_id', 'event_name', 'event_id', 'event_time', 'action_source', 'source', 'status', 'attempts', 'next_attempt_at',
  'last_error_code', 'last_error_subcode', 'last_error_message', 'fbtrace_id', 'created_at', 'updated_at', 'delivered_at',
];
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The one mapping of an `events` row's columns; EventRepository adds payload and lease. */
export function mapSummary(r: object): EventSummary {
  const row = r as Row;
  return {
    id: Number(row.id),
    pixelId: Number(row.pixel_id),
    eventName: row.event_name as string,
    eventId: row.event_id as string,
    eventTime: Number(row.event_time),
    actionSource: row.action_source as string,
    source: row.source as Source,
    status: row.status as EventStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lastErrorCode: num(row.last_error_code),
    lastErrorSubcode: num(row.last_error_subcode),
    lastErrorMessage: (row.last_error_message as string | null) ?? null,
    fbtraceId: (row.fbtrace_id as string | null) ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deliveredAt: num(row.delivered_at),
  };
}

export class EventQueryRepository {
  constructor(private readonly db: Db) {}

  private filtered(f: EventFilter, qb: Knex.QueryBuilder = this.db(TABLE)): Knex.QueryBuilder {
    if (f.id) qb.whereIn('id', f.id);
    if (f.status) qb.whereIn('status', f.status);
    if (f.event_name) qb.whereIn('event_name', f.event_name);
    if (f.pixel_id) qb.whereIn('pixel_id', f.pixel_id);
    if (f.source) qb.where('source', f.source);
    if (f.action_source) qb.whereIn('action_source', f.action_source);
    if (f.created_at_gte !== undefined) qb.where('created_at', '>=', f.created_at_gte);
    if (f.created_at_lte !== undefined) qb.where('created_at', '<=', f.created_at_lte);
    if (f.event_id !== undefined) qb.where('event_id', f.event_id);
    if (f.last_error_code) qb.whereIn('last_error_code', f.last_error_code);
    if (f.q) qb.whereRaw(`event_id LIKE ? ESCAPE '!'`, [`${likeEscape(f.q)}%`]);
    return qb;
  }

  async list(query: ListQuery<EventFilter>): Promise<Page<EventSummary>> {
    const column = EVENT_SORTABLE[query.sort.field];
    if (!column) throw new Error(`events: sort field ${query.sort.field} is not allow-listed`);
    const order = query.sort.order;
    const rowsQ = this.filtered(query.filter)
      .select(SUMMARY_COLUMNS)
      .orderBy(column === 'id' ? [{ column: 'id', order }] : [{ column, order }, { column: 'id', order }])
      .offset(query.range.start)
      .limit(query.range.end - query.range.start + 1);
    const countQ = this.filtered(query.filter).count({ n: '*' }).first();
    const [rows, count] = await Promise.all([rowsQ, countQ]);
    return { rows: (rows as Row[]).map(mapSummary), total: Number((count as Row | undefined)?.n ?? 0) };
  }

  async findDetail(id: number): Promise<EventDetail | undefined> {
    const row = (await this.db(TABLE).select([...SUMMARY_COLUMNS, 'payload']).where({ id }).first()) as Row | undefined;
    return row && { ...mapSummary(row), payload: JSON.parse(row.payload as string) as StoredEvent };
  }

  async attempts(eventRowId: number, limit = 500): Promise<AttemptDetail[]> {
    const rows = (await this.db(ATTEMPTS).where({ event_row_id: eventRowId }).orderBy('id').limit(limit)) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      attemptedAt: Number(r.attempted_at),
      outcome: r.outcome as string,
      httpStatus: num(r.http_status),
      errorCode: num(r.error_code),
      errorSubcode: num(r.error_subcode),
      isTransient: r.is_transient === null ? null : Boolean(r.is_transient),
      message: (r.message as string | null) ?? null,
      fbtraceId: (r.fbtrace_id as string | null) ?? null,
      durationMs: Number(r.duration_ms),
      batchSize: Number(r.batch_size),
    }));
  }

  async maxId(): Promise<number> {
    const row = (await this.db(TABLE).max({ m: 'id' }).first()) as Row | undefined;
    return Number(row?.m ?? 0);
  }

  /** How many events match the filter with an id ≤ maxId (the filter's status already limited to retryable ones). */
  async count(filter: EventFilter, maxId?: number): Promise<number> {
    const q = this.filtered(filter);
    if (maxId !== undefined) q.where('id', '<=', maxId);
    const row = (await q.count({ n: '*' }).first()) as Row | undefined;
    return Number(row?.n ?? 0);
  }

  /** The next ids (ascending) after `afterId` and ≤ `maxId` that match the filter. */
  async idsAfter(filter: EventFilter, afterId: number, maxId: number, limit: number): Promise<number[]> {
    const rows = (await this.filtered(filter).select('id').where('id', '>', afterId).where('id', '<=', maxId).orderBy('id').limit(limit)) as Row[];
    return rows.map((r) => Number(r.id));
  }

  /** Per event name (of `names`) and status: events created since `since7d`, and of those since `since24h`. */
  async countsByNameAndStatus(since24h: number, since7d: number, names: string[]): Promise<Array<{ eventName: string; status: EventStatus; last24h: number; last7d: number }>> {
    if (!names.length) return [];
    const rows = (await this.db(TABLE)
      .select('event_name', 'status')
      .count({ n7: '*' })
      .sum({ n24: this.db.raw('CASE WHEN created_at >= ? THEN 1 ELSE 0 END', [since24h]) })
      .where('created_at', '>=', since7d)
      .whereIn('event_name', names)
      .groupBy('event_name', 'status')) as Row[];
    return rows.map((r) => ({ eventName: r.event_name as string, status: r.status as EventStatus, last7d: Number(r.n7), last24h: Number(r.n24 ?? 0) }));
  }

  // ---- dashboard -------------------------------------------------------------------------

  /** Events created in [from, to] per time bucket and (current) status. `bucketMs` is 3 600 000 or 86 400 000. */
  async statusSeries(from: number, to: number, bucketMs: 3_600_000 | 86_400_000): Promise<Array<{ bucket: number; status: EventStatus; n: number }>> {
    if (bucketMs !== 3_600_000 && bucketMs !== 86_400_000) throw new Error('bucketMs must be an hour or a day');
    const expr = dialectOf(this.db) === 'mysql' ? `(created_at DIV ${bucketMs})` : `CAST(created_at / ${bucketMs} AS INTEGER)`;
    const rows = (await this.db(TABLE)
      .select(this.db.raw(`${expr} AS b`), 'status')
      .count({ n: '*' })
      .whereBetween('created_at', [from, to])
      .groupByRaw(`${expr}, status`)) as Row[];
    return rows.map((r) => ({ bucket: Number(r.b) * bucketMs, status: r.status as EventStatus, n: Number(r.n) }));
  }

  async countsByStatus(from?: number, to?: number): Promise<Partial<Record<EventStatus, number>>> {
    const q = this.db(TABLE).select('status').count({ n: '*' }).groupBy('status');
    if (from !== undefined && to !== undefined) q.whereBetween('created_at', [from, to]);
    const rows = (await q) as Row[];
    return Object.fromEntries(rows.map((r) => [r.status as string, Number(r.n)]));
  }

  /** created → delivered for events created in [from, to] and delivered: count and the given percentiles (ms). */
  async deliveryLatency(from: number, to: number, percentiles: number[]): Promise<{ count: number; values: Array<number | null> }> {
    const base = () => this.db(TABLE).whereBetween('created_at', [from, to]).where('status', 'delivered').whereNotNull('delivered_at');
    const count = Number(((await base().count({ n: '*' }).first()) as Row | undefined)?.n ?? 0);
    if (!count) return { count, values: percentiles.map(() => null) };
    const values: Array<number | null> = [];
    for (const p of percentiles) {
      const offset = Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1)); // nearest-rank
      const row = (await base().select(this.db.raw('delivered_at - created_at AS ms')).orderByRaw('delivered_at - created_at').offset(offset).limit(1).first()) as Row | undefined;
      values.push(row ? Number(row.ms) : null);
    }
    return { count, values };
  }

  /** The most frequent last errors of events created in [from, to] that still carry one. */
  async topErrors(from: number, to: number, limit: number): Promise<Array<{ code: number | null; subcode: number | null; events: number; message: string | null; lastSeenAt: number }>> {
    const rows = (await this.db(TABLE)
      .select('last_error_code', 'last_error_subcode')
      .count({ n: '*' })
      .max({ message: 'last_error_message', last_seen: 'updated_at' })
      .whereBetween('created_at', [from, to])
      .where((w) => w.whereNotNull('last_error_code').orWhereNotNull('last_error_message'))
      .groupBy('last_error_code', 'last_error_subcode')
      .orderBy([{ column: 'n', order: 'desc' }])
      .limit(limit)) as Row[];
    return rows.map((r) => ({ code: num(r.last_error_code), subcode: num(r.last_error_subcode), events: Number(r.n), message: (r.message as string | null) ?? null, lastSeenAt: Number(r.last_seen) }));
  }

  /** Events waiting (queued / retrying / sending) per pixel, for the given pixels. */
  async waitingByPixel(pixelIds: number[]): Promise<Map<number, number>> {
    if (!pixelIds.length) return new Map();
    const rows = (await this.db(TABLE).select('pixel_id').count({ n: '*' }).whereIn('pixel_id', pixelIds).whereIn('status', CLAIMABLE).groupBy('pixel_id')) as Row[];
    return new Map(rows.map((r) => [Number(r.pixel_id), Number(r.n)]));
  }

  /**
   * Per event name, how many of the most recent `sampleLimit` events created in [from, to] carry
   * each match key in their stored (hashed) user data. JSON_EXTRACT exists on MySQL/MariaDB and SQLite.
   */
  async matchKeyCounts(from: number, to: number, sampleLimit: number): Promise<{ sampled: number; byEvent: Array<{ eventName: string; events: number; keys: Record<MatchKey, number> }> }> {
    const sums = MATCH_KEYS.map((k) => `SUM(CASE WHEN JSON_EXTRACT(payload, '$.user_data.${k}') IS NOT NULL THEN 1 ELSE 0 END) AS k_${k}`).join(', ');
    const sample = this.db(TABLE).select('event_name', 'payload').whereBetween('created_at', [from, to]).orderBy('created_at', 'desc').limit(sampleLimit).as('s');
    const rows = (await this.db.select(this.db.raw(`event_name, COUNT(*) AS n, ${sums}`)).from(sample).groupBy('event_name').orderBy('event_name')) as Row[];
    let sampled = 0;
    const byEvent = rows.map((r) => {
      sampled += Number(r.n);
      return { eventName: r.event_name as string, events: Number(r.n), keys: Object.fromEntries(MATCH_KEYS.map((k) => [k, Number(r[`k_${k}`] ?? 0)])) as Record<MatchKey, number> };
    });
    return { sampled, byEvent };
  }
}
