import type { Agenda, Job } from 'agenda';
import type { Logger } from '../shared/logger';
import type { EventRepository } from '../events/repository';
import { MAX_EVENT_AGE_S } from '../events/schemas';
import type { SettingsRepository } from '../settings/repository';
import type { Deliverer } from '../delivery/deliverer';

export interface JobDeps {
  events: EventRepository;
  settings: SettingsRepository;
  deliverer: Deliverer;
  logger: Logger;
  now?: () => number;
  /** Admin "retry all matching this filter" runs (server/src/admin/retry-service.ts). */
  retryRuns?: { process(runId: number): Promise<void> };
}

export interface RetryEventsData {
  ids: number[];
}

/**
 * The one registry of background jobs. Each has a unique name, a schedule (or runs on demand),
 * and an idempotent handler that takes ids, not objects. The events table stays the source of
 * truth: these jobs only decide when work runs.
 */
export const JOBS = {
  /** Safety net beside the delivery loop: parks paused pixels' events, wakes the loop so due and lease-expired events are claimed. */
  deliverySweep: { name: 'delivery:sweep', every: '15 seconds' },
  /** Marks waiting events older than Meta's 7-day window as expired. */
  expire: { name: 'events:expire', every: '5 minutes' },
  /** Deletes finished events older than the retention setting. */
  purge: { name: 'events:purge', every: '1 hour' },
  /** On demand (admin): moves failed / not_delivered events back to queued. */
  retryEvents: { name: 'events:retry' },
  /** On demand (admin): advances a retry run (`retry_runs` row) in chunks, resuming at its cursor. */
  retryRun: { name: 'events:retry-run' },
} as const;

export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  const now = deps.now ?? Date.now;
  const log = (job: string) => deps.logger.child({ component: 'worker', job });

  agenda.define(JOBS.deliverySweep.name, async () => {
    // Heals races between intake and pausing/resuming a pixel (see EventRepository.parkPaused).
    const parked = await deps.events.parkPaused();
    const unparked = await deps.events.unparkActive();
    if (parked || unparked) log(JOBS.deliverySweep.name).info({ parked, unparked }, 'waiting events of paused pixels parked / of resumed pixels made due');
    deps.deliverer.wake();
  });

  agenda.define(JOBS.expire.name, async () => {
    const n = await deps.events.expireOlderThan(Math.floor(now() / 1000) - MAX_EVENT_AGE_S);
    if (n) log(JOBS.expire.name).info({ count: n }, 'events expired before delivery');
  });

  agenda.define(JOBS.purge.name, async () => {
    const { retentionDays } = await deps.settings.get();
    const total = await deps.events.purgeFinishedBefore(now() - retentionDays * 86_400_000);
    if (total) log(JOBS.purge.name).info({ count: total, retentionDays }, 'finished events purged');
  });

  agenda.define(JOBS.retryEvents.name, async (job: Job<RetryEventsData>) => {
    const ids = job.attrs.data.ids.filter((id) => Number.isInteger(id));
    const n = await deps.events.requeue(ids);
    log(JOBS.retryEvents.name).info({ requested: ids.length, requeued: n }, 'events re-queued');
    deps.deliverer.wake();
  });

  agenda.define(JOBS.retryRun.name, async (job: Job<{ runId: number }>) => {
    const runId = Number(job.attrs.data?.runId);
    if (!Number.isInteger(runId) || !deps.retryRuns) {
      log(JOBS.retryRun.name).error({ runId }, 'retry run job without a run id or without the retry service wired');
      return;
    }
    await deps.retryRuns.process(runId);
    deps.deliverer.wake();
  });
}

/** Schedules the recurring jobs; `every` stores one job per name, so any number of workers may call it. */
export async function scheduleJobs(agenda: Agenda): Promise<void> {
  for (const job of [JOBS.deliverySweep, JOBS.expire, JOBS.purge]) await agenda.every(job.every, job.name);
}
