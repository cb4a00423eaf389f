import type { RequestHandler } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/guards';
import { NotFoundError } from '../shared/errors';
import { ACTION_SOURCES } from '../events/schemas';
import { EVENT_STATUSES } from '../events/vocabulary';
import { EVENT_SORTABLE, type AttemptDetail, type EventDetail, type EventFilter, type EventQueryRepository, type EventSummary } from '../events/query-repository';
import { idFilter, many, oneOrMany, parseFilter, parseListQuery, sendList, timestamp, type ListQuery, type ListSpec, type Page } from './list-query';
import { parseBody, parseId } from './http';
import { MAX_RETRY_IDS, type RetryService } from './retry-service';
import { RUN_SORTABLE, RUN_STATUSES, type RetryRun, type RetryRunFilter } from './retry-run-repository';
import type { DeliveryAttempt, EventDetailRecord, EventRecord, RetryRunRecord } from './records';

// ---- records -----------------------------------------------------------------------------

export function eventRecord(e: EventSummary): EventRecord {
  return {
    id: e.id,
    pixel_id: e.pixelId,
    event_name: e.eventName,
    event_id: e.eventId,
    event_time: e.eventTime,
    action_source: e.actionSource,
    source: e.source,
    status: e.status,
    attempts: e.attempts,
    next_attempt_at: e.nextAttemptAt,
    last_error_code: e.lastErrorCode,
    last_error_subcode: e.lastErrorSubcode,
    last_error_message: e.lastErrorMessage,
    fbtrace_id: e.fbtraceId,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    delivered_at: e.deliveredAt,
  };
}

function attemptRecord(a: AttemptDetail): DeliveryAttempt {
  return {
    id: a.id,
    attempted_at: a.attemptedAt,
    outcome: a.outcome,
    http_status: a.httpStatus,
    error_code: a.errorCode,
    error_subcode: a.errorSubcode,
    is_transient: a.isTransient,
    message: a.message,
    fbtrace_id: a.fbtraceId,
    duration_ms: a.durationMs,
    batch_size: a.batchSize,
  };
}

export function runRecord(r: RetryRun): RetryRunRecord {
  return {
    id: r.id,
    status: r.status,
    filter: r.filter,
    total: r.total,
    processed: r.processed,
    requeued: r.requeued,
    /** 0…1 */
    progress: r.status === 'done' ? 1 : r.total ? Math.min(1, r.processed / r.total) : 0,
    error: r.error,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    finished_at: r.finishedAt,
  };
}

// ---- filters -----------------------------------------------------------------------------

/** The events filter as the API accepts it (one value or an array for most fields). */
export const EventFilterSchema = z
  .strictObject({
    id: idFilter.optional(),
    status: oneOrMany(z.enum(EVENT_STATUSES, { error: `must be one of ${EVENT_STATUSES.join(', ')}` }), 'status').optional(),
    event_name: oneOrMany(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'), 'event name').optional(),
    pixel_id: idFilter.optional(),
    source: z.enum(['browser', 'server'], { error: 'must be browser or server' }).optional(),
    action_source: oneOrMany(z.enum(ACTION_SOURCES, { error: `must be one of ${ACTION_SOURCES.join(', ')}` }), 'action source').optional(),
    created_at_gte: timestamp('from').optional(),
    created_at_lte: timestamp('until').optional(),
    event_id: z.string().min(1, 'must not be empty').max(191, 'must be at most 191 characters').optional(),
    last_error_code: oneOrMany(z.number({ error: 'must be a whole number' }).int('must be a whole number'), 'error code').optional(),
    q: z.string().max(191, 'must be at most 191 characters').optional(),
  })
  .transform(
    (f): EventFilter => ({
      id: many(f.id),
      status: many(f.status),
      event_name: many(f.event_name),
      pixel_id: many(f.pixel_id),
      source: f.source,
      action_source: many(f.action_source),
      created_at_gte: f.created_at_gte,
      created_at_lte: f.created_at_lte,
      event_id: f.event_id,
      last_error_code: many(f.last_error_code),
      q: f.q || undefined,
    }),
  );

const eventsSpec: ListSpec<EventFilter> = {
  sortable: Object.keys(EVENT_SORTABLE),
  defaultSort: { field: 'id', order: 'desc' },
  filter: EventFilterSchema,
};

const runsSpec: ListSpec<RetryRunFilter> = {
  sortable: Object.keys(RUN_SORTABLE),
  defaultSort: { field: 'id', order: 'desc' },
  filter: z.strictObject({ id: idFilter.optional(), status: oneOrMany(z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }), 'status').optional() }),
};

const RetryIds = z.strictObject({
  ids: z
    .array(z.number({ error: 'must be event ids (positive whole numbers)' }).int('must be event ids (positive whole numbers)').positive('must be event ids (positive whole numbers)'), { error: 'must be an array of event ids' })
    .min(1, 'must list at least one event id')
    .max(MAX_RETRY_IDS, `must list at most ${MAX_RETRY_IDS} ids; use retry-matching for more`),
});
const RetryMatching = z.strictObject({ filter: z.record(z.string(), z.unknown(), { error: 'must be a JSON object (the events list filter)' }) });

// ---- service -----------------------------------------------------------------------------

/** Read side of events for the dashboard. */
export class EventAdminService {
  constructor(private readonly query: EventQueryRepository) {}

  list(q: ListQuery<EventFilter>): Promise<Page<EventSummary>> {
    return this.query.list(q);
  }

  async get(id: number): Promise<{ event: EventDetail; attempts: AttemptDetail[] }> {
    const event = await this.query.findDetail(id);
    if (!event) throw new NotFoundError(`No event #${id}`);
    return { event, attempts: await this.query.attempts(id) };
  }
}

// ---- routes ------------------------------------------------------------------------------

export function eventsRouter(events: EventAdminService, retry: RetryService) {
  const list: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, eventsSpec);
    const page = await events.list(q);
    sendList(res, 'events', q.range, { rows: page.rows.map(eventRecord), total: page.total });
  };
  const get: RequestHandler = async (req, res) => {
    const { event, attempts } = await events.get(parseId(req.params.id));
    const detail: EventDetailRecord = { ...eventRecord(event), payload: event.payload, delivery_attempts: attempts.map(attemptRecord) };
    res.json(detail);
  };
  /** `POST events/retry` `{ ids }`: failed / not_delivered among them go back to queued now. */
  const retryIds: RequestHandler = async (req, res) => {
    const { ids } = parseBody(req.body, RetryIds);
    res.json(await retry.retryIds(ids));
  };
  /** `POST events/retry-matching` `{ filter }`: a retry run (202 new, 200 when the same filter already runs). */
  const retryMatching: RequestHandler = async (req, res) => {
    const body = parseBody(req.body, RetryMatching);
    const filter = parseFilter(JSON.stringify(body.filter), EventFilterSchema);
    const { run, created } = await retry.startRun(filter, currentUser(res).id);
    res.status(created ? 202 : 200).json(runRecord(run));
  };
  const listRuns: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, runsSpec);
    const page = await retry.listRuns(q);
    sendList(res, 'retry-runs', q.range, { rows: page.rows.map(runRecord), total: page.total });
  };
  const getRun: RequestHandler = async (req, res) => {
    res.json(runRecord(await retry.getRun(parseId(req.params.id))));
  };
  return { list, get, retryIds, retryMatching, listRuns, getRun };
}
