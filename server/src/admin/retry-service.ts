import crypto from 'node:crypto';
import type { Logger } from '../shared/logger';
import { AppError, NotFoundError, ValidationError } from '../shared/errors';
import type { EventRepository } from '../events/repository';
import type { EventFilter, EventQueryRepository } from '../events/query-repository';
import { RETRYABLE } from '../events/vocabulary';
import type { ListQuery, Page } from './list-query';
import { JOBS } from '../worker/jobs';
import type { JobQueue } from './job-queue';
import type { RetryRun, RetryRunFilter, RetryRunRepository } from './retry-run-repository';

export const MAX_RETRY_IDS = 1000;
const CHUNK = 500;

export interface RetryRunData {
  runId: number;
}

/**
 * Admin retries. A selection (ids) is re-queued at once: `EventRepository.requeue` only moves
 * failed / not_delivered to queued, so repeating it is harmless. "Retry all matching this filter"
 * becomes a retry run: a row with the filter, the highest event id at request time and a cursor,
 * advanced in chunks of 500 by the `events:retry-run` Agenda job. The run's progress is readable
 * while it runs; a re-run (crash, lock expiry) resumes at the cursor; asking again for the same
 * filter while a run is active returns that run.
 */
export class RetryService {
  private readonly log: Logger;
  constructor(
    private readonly deps: {
      events: EventRepository;
      query: EventQueryRepository;
      runs: RetryRunRepository;
      queue: JobQueue;
      logger: Logger;
      /** Wakes an in-process deliverer after re-queueing (no-op without one). */
      onRequeued?: () => void;
    },
  ) {
    this.log = deps.logger.child({ component: 'retry' });
  }

  async retryIds(ids: number[]): Promise<{ requested: number; requeued: number }> {
    const unique = [...new Set(ids)];
    const requeued = await this.deps.events.requeue(unique);
    if (requeued) this.deps.onRequeued?.();
    this.log.info({ requested: unique.length, requeued }, 'events re-queued by an admin');
    return { requested: unique.length, requeued };
  }

  /** The filter with its statuses limited to the retryable ones (all of them when none is given). */
  private retryableFilter(filter: EventFilter): EventFilter {
    const status = (filter.status ?? RETRYABLE).filter((s) => RETRYABLE.includes(s));
    if (!status.length) throw new ValidationError('Only failed and not_delivered events can be retried', { 'filter.status': 'must include failed or not_delivered' });
    return { ...filter, status };
  }

  async startRun(filter: EventFilter, createdBy: number | null): Promise<{ run: RetryRun; created: boolean }> {
    const effective = this.retryableFilter(filter);
    const filterKey = canonicalKey(effective);
    const active = await this.deps.runs.findActive(filterKey);
    if (active) return { run: active, created: false };

    const maxEventId = await this.deps.query.maxId();
    const total = await this.deps.query.count(effective, maxEventId);
    const run = await this.deps.runs.create({ filter: effective, filterKey, maxEventId, total, createdBy, status: total ? 'pending' : 'done' });
    if (total) {
      try {
        await this.deps.queue.enqueue(JOBS.retryRun.name, { runId: run.id } satisfies RetryRunData);
      } catch (err) {
        await this.deps.runs.setStatus(run.id, 'failed', 'The job could not be queued');
        this.log.error({ err, runId: run.id }, 'retry run could not be queued');
        throw new AppError(503, 'queue_unavailable', 'The retry could not be queued; try again shortly');
      }
    }
    this.log.info({ runId: run.id, total, by: createdBy }, 'retry run requested');
    return { run: (await this.deps.runs.findById(run.id))!, created: true };
  }

  async getRun(id: number): Promise<RetryRun> {
    const run = await this.deps.runs.findById(id);
    if (!run) throw new NotFoundError(`No retry run #${id}`);
    return run;
  }

  listRuns(query: ListQuery<RetryRunFilter>): Promise<Page<RetryRun>> {
    return this.deps.runs.list(query);
  }

  /** The job handler: advances a run to its end. Idempotent; a finished run is left alone. */
  async process(runId: number): Promise<void> {
    const run = await this.deps.runs.findById(runId);
    if (!run || run.status === 'done' || run.status === 'failed') return;
    await this.deps.runs.setStatus(run.id, 'running');
    try {
      await this.requeueMatching(run.filter, run.cursorId, run.maxEventId, (cursor, processed, requeued) => this.deps.runs.advance(run.id, cursor, processed, requeued));
      await this.deps.runs.setStatus(run.id, 'done');
      const done = await this.deps.runs.findById(run.id);
      this.log.info({ runId: run.id, processed: done?.processed, requeued: done?.requeued }, 'retry run finished');
    } catch (err) {
      await this.deps.runs.setStatus(run.id, 'failed', (err as Error).message ?? 'failed').catch(() => undefined);
      throw err;
    }
  }

  /** How many events a retry of this filter would re-queue now (`npm run replay -- --dry-run`). */
  async countMatching(filter: EventFilter): Promise<number> {
    return this.deps.query.count(this.retryableFilter(filter));
  }

  /**
   * Re-queues every event matching the filter now, in this process (`npm run replay`): the same
   * selection and chunks as a retry run, without a run row or the worker's job, so an interrupted
   * command leaves no run marked active. Events arriving meanwhile are left for another retry.
   */
  async retryMatchingNow(filter: EventFilter): Promise<{ matched: number; requeued: number }> {
    const effective = this.retryableFilter(filter);
    const maxEventId = await this.deps.query.maxId();
    let matched = 0;
    let requeued = 0;
    await this.requeueMatching(effective, 0, maxEventId, async (_cursor, n, r) => {
      matched += n;
      requeued += r;
    });
    this.log.info({ matched, requeued }, 'events matching a filter re-queued from the command line');
    return { matched, requeued };
  }

  /** Walks the matching ids after `cursor` up to `maxEventId` in chunks, re-queueing each chunk. */
  private async requeueMatching(filter: EventFilter, cursor: number, maxEventId: number, onChunk: (cursor: number, processed: number, requeued: number) => Promise<void>): Promise<void> {
    for (;;) {
      const ids = await this.deps.query.idsAfter(filter, cursor, maxEventId, CHUNK);
      if (!ids.length) return;
      const requeued = await this.deps.events.requeue(ids);
      cursor = ids[ids.length - 1]!;
      await onChunk(cursor, ids.length, requeued);
      if (requeued) this.deps.onRequeued?.();
    }
  }
}

/** SHA-256 of the filter with keys and array values sorted: equal filters, equal keys. */
function canonicalKey(filter: EventFilter): string {
  const entries = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? [...(v as Array<string | number>)].sort() : v] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return crypto.createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
