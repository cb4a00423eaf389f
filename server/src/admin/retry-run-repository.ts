import type { Db } from '../shared/db';
import type { ListQuery, Page } from './list-query';
import type { EventFilter } from '../events/query-repository';

export const RUN_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** "Retry all matching this filter": one row per request, advanced in chunks by the `events:retry-run` job. */
export interface RetryRun {
  id: number;
  filter: EventFilter;
  filterKey: string;
  status: RunStatus;
  maxEventId: number;
  cursorId: number;
  total: number;
  processed: number;
  requeued: number;
  error: string | null;
  createdBy: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

interface RunRow {
  id: number;
  filter: string;
  filter_key: string;
  status: RunStatus;
  max_event_id: number | string;
  cursor_id: number | string;
  total: number;
  processed: number;
  requeued: number;
  error: string | null;
  created_by: number | null;
  created_at: number | string;
  updated_at: number | string;
  finished_at: number | string | null;
}

export interface RetryRunFilter {
  id?: number | number[];
  status?: RunStatus | RunStatus[];
}

const TABLE = 'retry_runs';

export const RUN_SORTABLE: Record<string, string> = { id: 'id', created_at: 'created_at', status: 'status', total: 'total' };

function mapRow(r: RunRow): RetryRun {
  return {
    id: Number(r.id),
    filter: JSON.parse(r.filter) as EventFilter,
    filterKey: r.filter_key,
    status: r.status,
    maxEventId: Number(r.max_event_id),
    cursorId: Number(r.cursor_id),
    total: Number(r.total),
    processed: Number(r.processed),
    requeued: Number(r.requeued),
    error: r.error,
    createdBy: r.created_by === null ? null : Number(r.created_by),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

export class RetryRunRepository {
  constructor(private readonly db: Db) {}

  async create(r: { filter: EventFilter; filterKey: string; maxEventId: number; total: number; createdBy: number | null; status: RunStatus }): Promise<RetryRun> {
    const now = Date.now();
    const [id] = await this.db(TABLE).insert({
      filter: JSON.stringify(r.filter),
      filter_key: r.filterKey,
      status: r.status,
      max_event_id: r.maxEventId,
      cursor_id: 0,
      total: r.total,
      processed: 0,
      requeued: 0,
      created_by: r.createdBy,
      created_at: now,
      updated_at: now,
      finished_at: r.status === 'done' ? now : null,
    });
    return (await this.findById(Number(id)))!;
  }

  async findById(id: number): Promise<RetryRun | undefined> {
    const row = (await this.db<RunRow>(TABLE).where({ id }).first()) as RunRow | undefined;
    return row && mapRow(row);
  }

  async findActive(filterKey: string): Promise<RetryRun | undefined> {
    const row = (await this.db<RunRow>(TABLE).where({ filter_key: filterKey }).whereIn('status', ['pending', 'running']).orderBy('id', 'desc').first()) as RunRow | undefined;
    return row && mapRow(row);
  }

  async setStatus(id: number, status: RunStatus, error?: string): Promise<void> {
    const now = Date.now();
    await this.db(TABLE)
      .where({ id })
      .update({ status, updated_at: now, ...(status === 'done' || status === 'failed' ? { finished_at: now } : {}), ...(error !== undefined ? { error: error.slice(0, 1000) } : {}) });
  }

  /** Records one processed chunk: the cursor moves past it. */
  async advance(id: number, cursorId: number, processed: number, requeued: number): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .update({
        cursor_id: cursorId,
        processed: this.db.raw('processed + ?', [processed]),
        requeued: this.db.raw('requeued + ?', [requeued]),
        updated_at: Date.now(),
      });
  }

  async list(query: ListQuery<RetryRunFilter>): Promise<Page<RetryRun>> {
    const column = RUN_SORTABLE[query.sort.field];
    if (!column) throw new Error(`retry-runs: sort field ${query.sort.field} is not allow-listed`);
    const f = query.filter;
    const base = () => {
      const q = this.db<RunRow>(TABLE);
      if (f.id !== undefined) q.whereIn('id', Array.isArray(f.id) ? f.id : [f.id]);
      if (f.status !== undefined) q.whereIn('status', Array.isArray(f.status) ? f.status : [f.status]);
      return q;
    };
    const [rows, count] = await Promise.all([
      base().select('*').orderBy([{ column, order: query.sort.order }, { column: 'id', order: query.sort.order }]).offset(query.range.start).limit(query.range.end - query.range.start + 1),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: (rows as RunRow[]).map(mapRow), total: Number((count as { n: number | string } | undefined)?.n ?? 0) };
  }
}
