import { createLogger } from '../server/src/shared/logger';
import { EventRepository } from '../server/src/events/repository';
import { EventQueryRepository, type EventFilter } from '../server/src/events/query-repository';
import { EVENT_STATUSES, RETRYABLE, type EventStatus } from '../server/src/events/vocabulary';
import { PixelRepository } from '../server/src/pixels/repository';
import { RetryService } from '../server/src/admin/retry-service';
import { RetryRunRepository } from '../server/src/admin/retry-run-repository';
import { AgendaJobQueue } from '../server/src/admin/job-queue';
import { timestamp } from '../server/src/admin/list-query';
import { CliError, migrateLatest, options, runCli } from './cli';

const USAGE = `
Usage: npm run replay -- [--pixel DATASET_ID] [--event NAME] [--status failed,not_delivered]
                         [--since ISO] [--until ISO] [--dry-run]

Re-queues events that did not reach Meta, as the dashboard's "Retry all matching" does: they go
back to queued, due now, and the worker delivers them. Their earlier attempts stay in their history.
Uses DATABASE_URL like the server (default: SQLite under ./data/).

  --pixel DATASET_ID   only this pixel's events (its Meta dataset id; a comma list for several)
  --event NAME         only events of this name, e.g. Purchase (a comma list for several)
  --status LIST        failed, not_delivered or both (the default)
  --since ISO          only events received at or after this time
  --until ISO          only events received at or before this time
                       ISO 8601: a date (2026-05-01: the whole day, UTC) or a time with its zone
                       (2026-05-01T08:00:00Z, 2026-05-01T10:00:00+02:00)
  --dry-run            print how many events would be re-queued; change nothing

Only failed (Meta rejected the event) and not_delivered (retries exhausted) events can be replayed:
  delivered                  Meta has them already; sending again would count them twice
                             once Meta's deduplication window has passed
  queued, sending, retrying  already waiting for delivery
  skipped                    their event was switched off when they arrived: that choice stands
  expired                    older than Meta's 7-day window, which Meta refuses
A replayed event older than 7 days is marked expired by delivery instead of being sent.
`;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function list(raw: string | undefined, name: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (!items.length) throw new CliError(`--${name} needs a value`);
  return items;
}

function time(raw: string | undefined, name: 'since' | 'until'): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = ISO.test(raw.trim()) ? timestamp(name === 'since' ? 'from' : 'until').safeParse(raw.trim()) : undefined;
  if (!parsed?.success) throw new CliError(`--${name} must be an ISO 8601 date or a time with its zone, e.g. 2026-05-01 or 2026-05-01T08:00:00Z (got "${raw.slice(0, 40)}")`);
  return parsed.data;
}

void runCli(USAGE, async ({ config, db, args }) => {
  const { values } = options(args, {
    pixel: { type: 'string' },
    event: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const datasetIds = list(values.pixel, 'pixel');
  for (const d of datasetIds ?? []) if (!/^\d{5,20}$/.test(d)) throw new CliError(`--pixel must be a pixel's dataset id, 5 to 20 digits (got "${d.slice(0, 40)}")`);
  const names = list(values.event, 'event');
  for (const n of names ?? []) if (n.length > 191) throw new CliError('--event names have at most 191 characters');
  const statuses = list(values.status, 'status') ?? [...RETRYABLE];
  for (const s of statuses) {
    if (!(EVENT_STATUSES as readonly string[]).includes(s)) throw new CliError(`--status: unknown status "${s.slice(0, 40)}" (replayable: ${RETRYABLE.join(', ')})`);
    if (!RETRYABLE.includes(s as EventStatus)) throw new CliError(`--status: ${s} events cannot be replayed, only ${RETRYABLE.join(' and ')} (see --help for why)`);
  }
  const since = time(values.since, 'since');
  const until = time(values.until, 'until');
  if (since !== undefined && until !== undefined && since > until) throw new CliError('--since must not be later than --until');

  await migrateLatest(db);
  const pixels = new PixelRepository(db);
  const pixelIds: number[] = [];
  for (const d of datasetIds ?? []) {
    const p = await pixels.findByDatasetId(d);
    if (!p) throw new CliError(`--pixel: no pixel with dataset id ${d} (see: npm run pixel -- list)`);
    pixelIds.push(p.id);
  }
  const filter: EventFilter = {
    status: statuses as EventStatus[],
    ...(datasetIds && { pixel_id: pixelIds }),
    ...(names && { event_name: names }),
    ...(since !== undefined && { created_at_gte: since }),
    ...(until !== undefined && { created_at_lte: until }),
  };
  const described = [
    `status ${statuses.join(', ')}`,
    datasetIds && `pixel ${datasetIds.join(', ')}`,
    names && `event ${names.join(', ')}`,
    since !== undefined && `received from ${new Date(since).toISOString()}`,
    until !== undefined && `until ${new Date(until).toISOString()}`,
  ]
    .filter(Boolean)
    .join('; ');

  const retry = new RetryService({
    events: new EventRepository(db),
    query: new EventQueryRepository(db),
    runs: new RetryRunRepository(db),
    queue: new AgendaJobQueue({ mongoUrl: config.mongoUrl, db }), // not used: this command re-queues in-process
    logger: createLogger({ level: 'silent' }),
  });
  if (values['dry-run']) {
    const n = await retry.countMatching(filter);
    process.stdout.write(`Dry run: ${n} event(s) would be re-queued (${described}). Nothing was changed.\n`);
    return;
  }
  const { matched, requeued } = await retry.retryMatchingNow(filter);
  const changedMeanwhile = matched !== requeued ? ` (${matched - requeued} of ${matched} matching changed status meanwhile and were left alone)` : '';
  process.stdout.write(`Re-queued ${requeued} event(s) (${described})${changedMeanwhile}. The worker delivers them; earlier attempts stay in their history.\n`);
});
