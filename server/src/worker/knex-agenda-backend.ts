import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { computeJobState, toJobId } from 'agenda';
import type {
  AgendaBackend,
  JobId,
  JobParameters,
  JobRepository,
  JobRepositoryOptions,
  JobsOverview,
  JobsQueryOptions,
  JobsResult,
  JobsSort,
  JobWithState,
  RemoveJobsOptions,
} from 'agenda';

/**
 * Agenda 6 backend over the app's Knex database (MySQL/MariaDB or SQLite), used when no
 * MONGO_URL is set. It mirrors @agendajs/mongo-backend's MongoJobRepository; the table is
 * created by db/migrations/20261121000200_agenda_jobs.ts. Agenda polls (no notification channel).
 *
 * Concurrency: jobs are claimed with a conditional UPDATE (… AND lock still free/expired) whose
 * affected-row count decides the winner, so several worker processes can share one MySQL database.
 * Upserts (`type: 'single'`, `unique()`) are serialized per job name: a MySQL named lock
 * (GET_LOCK) across processes, a transaction on SQLite (single writer).
 */
export interface KnexAgendaBackendOptions {
  db: Knex;
  tableName?: string;
}

type Ms = number | string | null; // BIGINT epoch ms (mysql2 may return big values as strings)

interface AgendaJobRow {
  id: string;
  name: string;
  type: string;
  priority: number;
  data: string | null;
  next_run_at: Ms;
  locked_at: Ms;
  last_run_at: Ms;
  last_finished_at: Ms;
  failed_at: Ms;
  fail_count: number | null;
  fail_reason: string | null;
  repeat_interval: string | null;
  repeat_timezone: string | null;
  repeat_at: string | null;
  start_date: Ms;
  end_date: Ms;
  skip_days: string | null;
  disabled: number | boolean;
  progress: number | null;
  fork: number | boolean | null;
  debounce_started_at: Ms;
  last_modified_by: string | null;
}

type RowValues = Omit<AgendaJobRow, 'id'>;
type Table = () => Knex.QueryBuilder;

const toDate = (v: Ms): Date | undefined => (v === null || v === undefined ? undefined : new Date(Number(v)));
const toMs = (v: Date | string | number | null | undefined): number | null =>
  v === null || v === undefined ? null : new Date(v).getTime();

function mapRow(r: AgendaJobRow): JobParameters {
  return {
    _id: toJobId(r.id),
    name: r.name,
    priority: Number(r.priority),
    nextRunAt: toDate(r.next_run_at) ?? null,
    type: r.type === 'single' ? 'single' : 'normal',
    data: r.data === null ? null : JSON.parse(r.data),
    lockedAt: toDate(r.locked_at),
    lastFinishedAt: toDate(r.last_finished_at),
    failedAt: toDate(r.failed_at),
    failCount: r.fail_count ?? undefined,
    failReason: r.fail_reason ?? undefined,
    repeatTimezone: r.repeat_timezone ?? undefined,
    lastRunAt: toDate(r.last_run_at),
    // Millisecond intervals are stored as digits; Agenda accepts either form, we restore the number.
    repeatInterval: r.repeat_interval === null ? undefined : /^\d+$/.test(r.repeat_interval) ? Number(r.repeat_interval) : r.repeat_interval,
    repeatAt: r.repeat_at ?? undefined,
    disabled: Boolean(r.disabled),
    progress: r.progress ?? undefined,
    lastModifiedBy: r.last_modified_by ?? undefined,
    fork: r.fork === null ? undefined : Boolean(r.fork),
    debounceStartedAt: toDate(r.debounce_started_at),
    startDate: toDate(r.start_date),
    endDate: toDate(r.end_date),
    skipDays: r.skip_days === null ? undefined : (JSON.parse(r.skip_days) as number[]),
  };
}

/** Every stored column of a job; like the Mongo backend's $set, absent optional fields become NULL. */
function toRow(job: Omit<JobParameters, '_id' | 'unique' | 'uniqueOpts'>, options: JobRepositoryOptions | undefined): RowValues {
  return {
    name: job.name,
    type: job.type,
    priority: job.priority ?? 0,
    data: job.data === undefined ? null : JSON.stringify(job.data),
    next_run_at: toMs(job.nextRunAt),
    locked_at: toMs(job.lockedAt),
    last_run_at: toMs(job.lastRunAt),
    last_finished_at: toMs(job.lastFinishedAt),
    failed_at: toMs(job.failedAt),
    fail_count: job.failCount ?? null,
    fail_reason: job.failReason ?? null,
    repeat_interval: job.repeatInterval === undefined || job.repeatInterval === null ? null : String(job.repeatInterval),
    repeat_timezone: job.repeatTimezone ?? null,
    repeat_at: job.repeatAt ?? null,
    start_date: toMs(job.startDate),
    end_date: toMs(job.endDate),
    skip_days: job.skipDays ? JSON.stringify(job.skipDays) : null,
    disabled: job.disabled ?? false,
    progress: job.progress ?? null,
    fork: job.fork ?? null,
    debounce_started_at: toMs(job.debounceStartedAt),
    last_modified_by: options?.lastModifiedBy ?? null,
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Top-level job fields a unique() constraint may name, by column. */
const UNIQUE_COLUMNS: Record<string, keyof RowValues> = {
  name: 'name',
  type: 'type',
  priority: 'priority',
  disabled: 'disabled',
  nextRunAt: 'next_run_at',
  repeatInterval: 'repeat_interval',
  repeatAt: 'repeat_at',
  repeatTimezone: 'repeat_timezone',
};

const SORT_COLUMNS: Record<keyof JobsSort, keyof RowValues> = {
  nextRunAt: 'next_run_at',
  lastRunAt: 'last_run_at',
  lastFinishedAt: 'last_finished_at',
  priority: 'priority',
  name: 'name',
  data: 'data',
};

export class KnexJobRepository implements JobRepository {
  private readonly db: Knex;
  private readonly tableName: string;
  private readonly dialect: 'mysql' | 'sqlite';

  constructor(options: KnexAgendaBackendOptions) {
    this.db = options.db;
    this.tableName = options.tableName ?? 'agenda_jobs';
    this.dialect = String(this.db.client.config.client).startsWith('mysql') ? 'mysql' : 'sqlite';
  }

  private table: Table = () => this.db(this.tableName);

  async connect(): Promise<void> {
    if (!(await this.db.schema.hasTable(this.tableName))) {
      throw new Error(`Agenda table "${this.tableName}" does not exist; run the database migrations first`);
    }
  }

  async getJobById(id: string): Promise<JobParameters | null> {
    const row = (await this.table().where({ id }).first()) as AgendaJobRow | undefined;
    return row ? mapRow(row) : null;
  }

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const { name, names, state, id, ids, search, data, includeDisabled = true, sort, skip = 0, limit = 0 } = options;
    const now = new Date();
    const filtered = (): Knex.QueryBuilder => {
      const qb = this.table();
      if (search) qb.whereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [`%${search.toLowerCase().replace(/[!%_]/g, '!$&')}%`]);
      else if (name) qb.where('name', name);
      else if (names?.length) qb.whereIn('name', names);
      if (id) qb.where('id', id);
      else if (ids?.length) qb.whereIn('id', ids);
      if (data !== undefined) this.whereData(qb, [], data);
      if (!includeDisabled) qb.where('disabled', false);
      return qb;
    };
    const withState = (row: AgendaJobRow): JobWithState => {
      const job = mapRow(row);
      return { ...job, _id: job._id as JobId, state: computeJobState(job, now) };
    };

    if (!state) {
      // The state cannot exclude rows, so paginate in the database.
      const page = filtered().select('*').orderBy(this.orderBy(sort));
      if (skip > 0) page.offset(skip);
      if (limit > 0) page.limit(limit);
      const [rows, count] = await Promise.all([page, filtered().count({ n: '*' }).first()]);
      return { jobs: (rows as AgendaJobRow[]).map(withState), total: Number((count as { n: number | string }).n) };
    }
    const all = ((await filtered().select('*').orderBy(this.orderBy(sort))) as AgendaJobRow[])
      .map(withState)
      .filter((job) => (state === 'paused' ? job.disabled === true : job.state === state));
    return { jobs: limit > 0 ? all.slice(skip, skip + limit) : all.slice(skip), total: all.length };
  }

  async getJobsOverview(): Promise<JobsOverview[]> {
    const now = new Date();
    const overviews = new Map<string, JobsOverview>();
    for (const name of await this.getDistinctJobNames()) {
      overviews.set(name, { name, total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 });
    }
    for (const row of (await this.table().select('*')) as AgendaJobRow[]) {
      const overview = overviews.get(row.name);
      if (!overview) continue; // inserted between the two reads
      const job = mapRow(row);
      overview.total++;
      overview[computeJobState(job, now)]++;
      if (job.disabled) overview.paused++;
    }
    return [...overviews.values()];
  }

  async getDistinctJobNames(): Promise<string[]> {
    return (await this.table().distinct('name').orderBy('name')).map((r: { name: string }) => r.name);
  }

  async getQueueSize(): Promise<number> {
    const row = (await this.table().where('next_run_at', '<', Date.now()).count({ n: '*' }).first()) as { n: number | string };
    return Number(row.n);
  }

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    const qb = this.filterFromOptions(options);
    return qb ? qb.delete() : 0;
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    const qb = this.filterFromOptions(options);
    return qb ? qb.update({ disabled: true }) : 0;
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    const qb = this.filterFromOptions(options);
    return qb ? qb.update({ disabled: false }) : 0;
  }

  async purgeAllJobs(): Promise<number> {
    return this.table().delete();
  }

  async unlockJob(job: JobParameters): Promise<void> {
    if (!job._id) return;
    // Only unlock jobs that are not currently being processed (nextRunAt is set).
    await this.table().where('id', String(job._id)).whereNotNull('next_run_at').update({ locked_at: null });
  }

  async unlockJobs(jobIds: (JobId | string)[]): Promise<void> {
    if (jobIds.length === 0) return;
    // Regardless of nextRunAt: a running one-time job has nextRunAt = null but must be released on stop().
    await this.table().whereIn('id', jobIds.map(String)).update({ locked_at: null });
  }

  async lockJob(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<JobParameters | undefined> {
    if (!job._id) return undefined;
    const nextRunAt = toMs(job.nextRunAt);
    const claimed = await this.table()
      .where({ id: String(job._id), name: job.name, disabled: false })
      .whereNull('locked_at')
      .where((qb) => (nextRunAt === null ? qb.whereNull('next_run_at') : qb.where('next_run_at', nextRunAt)))
      .update({ locked_at: Date.now(), last_modified_by: options?.lastModifiedBy ?? null });
    return claimed === 1 ? ((await this.getJobById(String(job._id))) ?? undefined) : undefined;
  }

  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const lockTime = (now ?? new Date()).getTime();
    const claimable = (qb: Knex.QueryBuilder): Knex.QueryBuilder =>
      qb
        .where({ name: jobName, disabled: false })
        .where((w) =>
          w
            .where((free) => free.whereNull('locked_at').where('next_run_at', '<=', nextScanAt.getTime()))
            .orWhere('locked_at', '<=', lockDeadline.getTime()),
        );
    // Another worker may claim a candidate between our SELECT and UPDATE; the UPDATE repeats the
    // condition, so exactly one claimer sees an affected row. Losers try the next candidate.
    for (let round = 0; round < 5; round++) {
      const candidates = (await claimable(this.table())
        .select('id')
        .orderBy([{ column: 'next_run_at', order: 'asc' }, { column: 'priority', order: 'desc' }])
        .limit(5)) as { id: string }[];
      if (candidates.length === 0) return undefined;
      for (const { id } of candidates) {
        const claimed = await claimable(this.table().where({ id })).update({
          locked_at: lockTime,
          last_modified_by: options?.lastModifiedBy ?? null,
        });
        if (claimed === 1) return (await this.getJobById(id)) ?? undefined;
      }
    }
    return undefined; // heavy contention: the next poll tries again
  }

  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (!job._id) throw new Error('Cannot save job state without job ID');
    const updated = await this.table()
      .where({ id: String(job._id), name: job.name })
      .update({
        locked_at: toMs(job.lockedAt),
        next_run_at: toMs(job.nextRunAt),
        last_run_at: toMs(job.lastRunAt),
        progress: job.progress ?? null,
        fail_reason: job.failReason ?? null,
        fail_count: job.failCount ?? null,
        failed_at: toMs(job.failedAt),
        last_finished_at: toMs(job.lastFinishedAt),
        last_modified_by: options?.lastModifiedBy ?? null,
      });
    if (updated !== 1) {
      throw new Error(`job ${job._id} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`);
    }
  }

  async saveJob<DATA = unknown>(job: JobParameters<DATA>, options: JobRepositoryOptions | undefined): Promise<JobParameters<DATA>> {
    const { _id, unique, uniqueOpts, ...props } = job;
    const row = toRow(props, options);
    const now = Date.now();
    const saved = (r: AgendaJobRow): JobParameters<DATA> => mapRow(r) as JobParameters<DATA>;

    if (_id) {
      const updated = await this.table().where({ id: String(_id), name: props.name }).update(row);
      const after = updated === 1 ? await this.getJobById(String(_id)) : null;
      return after ? (after as JobParameters<DATA>) : job; // removed meanwhile: return it unchanged
    }

    if (props.type === 'single') {
      // One job per name (every()). A nextRunAt already due is kept only when inserting, so a
      // restart does not make a recurring job run again ahead of its stored schedule.
      return this.serialized(`single:${props.name}`, async (table) => {
        const existing = (await table().where({ name: props.name, type: 'single' }).first('id')) as { id: string } | undefined;
        if (!existing) return saved(await this.insert(table, row));
        const { next_run_at, ...rest } = row;
        const keepNextRunAt = next_run_at !== null && Number(next_run_at) <= now;
        await table().where({ id: existing.id }).update(keepNextRunAt ? rest : row);
        return saved((await table().where({ id: existing.id }).first()) as AgendaJobRow);
      });
    }

    if (unique) {
      return this.serialized(`unique:${props.name}`, async (table) => {
        const debounce = uniqueOpts?.debounce;
        const existing = (await this.whereUnique(table().where('name', props.name), unique).first()) as AgendaJobRow | undefined;
        if (!existing) {
          if (debounce) {
            row.debounce_started_at = now;
            if (debounce.strategy !== 'leading') row.next_run_at = now + debounce.delay;
          }
          return saved(await this.insert(table, row));
        }
        if (uniqueOpts?.insertOnly && !debounce) return saved(existing);
        if (debounce) {
          const startedAt = existing.debounce_started_at === null ? now : Number(existing.debounce_started_at);
          if (debounce.strategy === 'leading') {
            row.next_run_at = existing.next_run_at; // runs on its original schedule; only data changes
            row.debounce_started_at = startedAt;
          } else if (debounce.maxWait && now - startedAt >= debounce.maxWait) {
            row.next_run_at = now; // waited long enough: run now and start a new window
            row.debounce_started_at = null;
          } else {
            row.next_run_at = now + debounce.delay;
            row.debounce_started_at = startedAt;
          }
        }
        await table().where({ id: existing.id }).update(row);
        return saved((await table().where({ id: existing.id }).first()) as AgendaJobRow);
      });
    }

    return saved(await this.insert(this.table, row));
  }

  private async insert(table: Table, row: RowValues): Promise<AgendaJobRow> {
    const inserted = { id: crypto.randomUUID(), ...row };
    await table().insert(inserted);
    return inserted;
  }

  /**
   * Runs an upsert so that no other saveJob for the same key interleaves: on MySQL under a
   * named lock held on one pinned connection (each statement commits before the lock is released),
   * on SQLite inside a transaction.
   */
  private async serialized<T>(key: string, fn: (table: Table) => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') return this.db.transaction((trx) => fn(() => trx(this.tableName)));
    const lockName = `agenda:${crypto.createHash('sha1').update(`${this.tableName}:${key}`).digest('hex')}`;
    const conn: unknown = await this.db.client.acquireConnection();
    try {
      const [rows] = (await this.db.raw('SELECT GET_LOCK(?, 30) AS ok', [lockName]).connection(conn)) as [{ ok: number | null }[]];
      if (rows[0]?.ok !== 1) throw new Error(`timed out waiting for the Agenda save lock on ${key}`);
      try {
        return await fn(() => this.table().connection(conn));
      } finally {
        await this.db.raw('SELECT RELEASE_LOCK(?)', [lockName]).connection(conn);
      }
    } finally {
      await this.db.client.releaseConnection(conn);
    }
  }

  /**
   * unique() keys, as in Mongo: `data.<path>` matches a value inside the job data (equality on
   * scalars), other keys name a top-level field. Query operators ($gt, $in, …) are not supported.
   */
  private whereUnique(qb: Knex.QueryBuilder, unique: Record<string, unknown>): Knex.QueryBuilder {
    for (const [key, value] of Object.entries(unique)) {
      if (key === 'data' || key.startsWith('data.')) {
        this.whereData(qb, key.split('.').slice(1), value);
        continue;
      }
      const column = UNIQUE_COLUMNS[key];
      if (!column || isPlainObject(value) || Array.isArray(value)) {
        throw new Error(`unique() on "${key}" is not supported by the Knex Agenda backend`);
      }
      if (value === null || value === undefined) qb.whereNull(column);
      else qb.where(column, value instanceof Date ? value.getTime() : (value as string | number | boolean));
    }
    return qb;
  }

  /** Partial match on job data: plain objects are flattened into paths, like the Mongo backend. */
  private whereData(qb: Knex.QueryBuilder, path: string[], value: unknown): void {
    if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key.startsWith('$')) throw new Error(`query operator "${key}" is not supported by the Knex Agenda backend`);
        this.whereData(qb, [...path, key], child);
      }
      return;
    }
    if (Array.isArray(value) || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new Error(`matching job data against ${Array.isArray(value) ? 'an array' : typeof value} is not supported`);
    }
    if (path.some((p) => /["\\]/.test(p))) throw new Error(`unsupported data key in ${path.join('.')}`);
    const jsonPath = ['$', ...path.map((p) => `"${p}"`)].join('.');
    const scalar = value instanceof Date ? value.toISOString() : value; // dates are stored as ISO strings in JSON
    if (this.dialect === 'mysql') {
      if (scalar === null || scalar === undefined) {
        qb.where((w) =>
          w.whereRaw('JSON_EXTRACT(data, ?) IS NULL', [jsonPath]).orWhereRaw(`JSON_TYPE(JSON_EXTRACT(data, ?)) = 'NULL'`, [jsonPath]),
        );
      } else {
        qb.whereRaw('JSON_UNQUOTE(JSON_EXTRACT(data, ?)) = ?', [jsonPath, String(scalar)]);
      }
    } else if (scalar === null || scalar === undefined) {
      qb.whereRaw('data ->> ? IS NULL', [jsonPath]);
    } else {
      qb.whereRaw('data ->> ? = ?', [jsonPath, typeof scalar === 'boolean' ? Number(scalar) : (scalar as string | number)]);
    }
  }

  /** Filter for remove/disable/enable; null when no criterion is given (then nothing is touched). */
  private filterFromOptions(options: RemoveJobsOptions): Knex.QueryBuilder | null {
    const qb = this.table();
    let any = false;
    if (options.id) {
      qb.where('id', String(options.id));
      any = true;
    } else if (options.ids?.length) {
      qb.whereIn('id', options.ids.map(String));
      any = true;
    }
    if (options.name) {
      qb.where('name', options.name);
      any = true;
    } else if (options.names?.length) {
      qb.whereIn('name', options.names);
      any = true;
    } else if (options.notNames?.length) {
      qb.whereNotIn('name', options.notNames);
      any = true;
    }
    if (options.data !== undefined) {
      this.whereData(qb, [], options.data);
      any = true;
    }
    return any ? qb : null;
  }

  private orderBy(sort: JobsSort | undefined): { column: string; order: 'asc' | 'desc' }[] {
    const order = Object.entries(sort ?? {})
      .filter(([key, dir]) => key in SORT_COLUMNS && (dir === 'asc' || dir === 'desc'))
      .map(([key, dir]) => ({ column: SORT_COLUMNS[key as keyof JobsSort], order: dir as 'asc' | 'desc' }));
    return order.length > 0
      ? order
      : [
          { column: 'next_run_at', order: 'desc' },
          { column: 'last_run_at', order: 'desc' },
        ];
  }
}

export class KnexAgendaBackend implements AgendaBackend {
  readonly name: string;
  readonly repository: KnexJobRepository;
  /** The app owns the Knex instance: agenda.stop() must not destroy it. */
  readonly ownsConnection = false;

  constructor(options: KnexAgendaBackendOptions) {
    this.repository = new KnexJobRepository(options);
    this.name = `Knex (${String(options.db.client.config.client)})`;
  }

  async connect(): Promise<void> {
    await this.repository.connect();
  }

  async disconnect(): Promise<void> {
    // Nothing to close: the connection pool belongs to the app.
  }
}
