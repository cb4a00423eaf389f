import { dialectOf, isDuplicateKeyError, type Db } from '../shared/db';
import type { Source, StoredEvent } from './schemas';
import { CLAIMABLE, RETRYABLE, WAITING, type EventStatus } from './vocabulary';
import { mapSummary } from './query-repository';

export interface EventRecord {
  id: number;
  pixelId: number;
  eventName: string;
  eventId: string;
  eventTime: number;
  actionSource: string;
  source: Source;
  payload: StoredEvent;
  status: EventStatus;
  attempts: number;
  nextAttemptAt: number | null;
  leaseOwner: string | null;
  lastErrorCode: number | null;
  lastErrorSubcode: number | null;
  lastErrorMessage: string | null;
  fbtraceId: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

interface EventRow {
  id: number | string;
  pixel_id: number;
  event_name: string;
  event_id: string;
  event_time: number | string;
  action_source: string;
  source: Source;
  payload: string;
  status: EventStatus;
  attempts: number;
  next_attempt_at: number | string | null;
  lease_owner: string | null;
  last_error_code: number | null;
  last_error_subcode: number | null;
  last_error_message: string | null;
  fbtrace_id: string | null;
  created_at: number | string;
  updated_at: number | string;
  delivered_at: number | string | null;
}

const TABLE = 'events';
const ATTEMPTS = 'delivery_attempts';

/**
 * Fields are added to the summary rather than copied with a spread: spreading the 17-field
 * summary into a new object cost ~3.5 µs per row, as much as parsing the payload, and a claim
 * maps 1000 rows at a time.
 */
function mapRow(r: EventRow): EventRecord {
  const record = mapSummary(r) as EventRecord;
  record.payload = JSON.parse(r.payload) as StoredEvent;
  record.leaseOwner = r.lease_owner;
  return record;
}

export interface NewEvent {
  pixelId: number;
  payload: StoredEvent;
  source: Source;
  status: 'queued' | 'skipped';
}

export interface AttemptRecord {
  eventRowId: number;
  attemptedAt: number;
  outcome: EventStatus | 'paused' | 'split';
  httpStatus: number | null;
  errorCode: number | null;
  errorSubcode: number | null;
  isTransient: boolean | null;
  message: string | null;
  fbtraceId: string | null;
  durationMs: number;
  batchSize: number;
}

/**
 * Rows per statement. Knex writes a multi-row INSERT for SQLite as `SELECT … UNION ALL SELECT …`,
 * and SQLite allows at most 500 terms in a compound SELECT; MySQL takes 1000 rows easily.
 */
const chunkFor = (db: Db) => (dialectOf(db) === 'sqlite' ? 500 : 1000);

/** Statuses no worker will touch again: what retention may delete. */
const FINISHED = ['delivered', 'failed', 'not_delivered', 'skipped', 'expired'] as const;

const key = (pixelId: number, eventName: string, eventId: string) => `${pixelId}\u0000${eventName}\u0000${eventId}`;

/** The columns intake writes, in the order of the prepared INSERT's placeholders. */
const INSERT_COLUMNS = ['pixel_id', 'event_name', 'event_id', 'event_time', 'action_source', 'source', 'payload', 'status', 'attempts', 'next_attempt_at', 'created_at', 'updated_at'] as const;
type InsertRow = Record<(typeof INSERT_COLUMNS)[number], string | number | null>;
const ROW_PLACEHOLDERS = `(${INSERT_COLUMNS.map(() => '?').join(',')})`;
const insertSql = (rows: number) => `INSERT INTO ${TABLE} (${INSERT_COLUMNS.join(',')}) VALUES ${Array.from({ length: rows }, () => ROW_PLACEHOLDERS).join(',')}`;

/** The part of a mysql2 (callback API) connection that a prepared INSERT uses. */
interface Mysql2Connection {
  execute(sql: string, values: unknown[], cb: (err: Error | null) => void): void;
}

/**
 * `id IN (…)` with the ids written into the statement: every id is checked to be a safe integer
 * first, so nothing but digits and commas reaches the SQL. The delivery path names 1000 ids per
 * statement, and as bindings each went through knex and the driver's placeholder formatting
 * (~1–2 µs per id per statement in the worker).
 */
function idIn(ids: readonly number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`event row id must be an integer, got ${String(id)}`);
  return `id IN (${ids.join(',')})`;
}

export class EventRepository {
  private readonly chunk: number;
  private readonly mysql: boolean;
  constructor(private readonly db: Db) {
    this.chunk = chunkFor(db);
    this.mysql = dialectOf(db) === 'mysql';
  }

  /**
   * One multi-row INSERT. On MySQL as a prepared statement (mysql2 `execute`, binary protocol):
   * values travel as they are, with no escaping, no hex and no SQL text growing with them. Knex's
   * text INSERT spent ~40 % of its time in building and escaping the statement (the payload as a
   * hex literal; escaping the quotes of the JSON instead cost more). mysql2 keeps the statements
   * per connection, up to `maxPreparedStatements` (see createDb): one per group size in use.
   * SQLite binds the values through knex.
   */
  private async insertRows(q: Db, rows: InsertRow[]): Promise<void> {
    if (!this.mysql) {
      await q(TABLE).insert(rows);
      return;
    }
    const values: unknown[] = [];
    for (const r of rows) for (const c of INSERT_COLUMNS) values.push(r[c]);
    // Inside a transaction, knex's client hands out the transaction's connection (and releasing is a no-op).
    const conn = (await q.client.acquireConnection()) as Mysql2Connection;
    try {
      await new Promise<void>((resolve, reject) => conn.execute(insertSql(rows.length), values, (err) => (err ? reject(err) : resolve())));
    } finally {
      await q.client.releaseConnection(conn);
    }
  }

  /**
   * Inserts many events atomically (the group commit of intake). Rows whose
   * (pixel, event_name, event_id) already exists, in the table or earlier in `events`,
   * are not written and come back as `duplicate`.
   */
  async insertMany(events: NewEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    // Up to one INSERT statement's worth is atomic on its own (autocommit): one round trip per
    // group commit. More than that needs a transaction so a request is never half-written.
    if (events.length <= this.chunk) return this.insertWith(this.db, events);
    return this.db.transaction((trx) => this.insertWith(trx, events));
  }

  /**
   * Optimistic: one plain INSERT per chunk, which succeeds whole in the common case (no repeat).
   * A repeat makes the statement fail whole (nothing of it is written); only then are the
   * existing keys looked up and the rest inserted, so a group commit is one round trip.
   */
  private async insertWith(q: Db, events: NewEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    const now = Date.now();
    const seen = new Set<string>();
    const result: Array<'inserted' | 'duplicate'> = [];
    const toInsert: Array<{ k: string; index: number; row: InsertRow }> = [];
    for (const e of events) {
      const k = key(e.pixelId, e.payload.event_name, e.payload.event_id);
      if (seen.has(k)) {
        result.push('duplicate'); // repeated within the same group commit
        continue;
      }
      seen.add(k);
      toInsert.push({
        k,
        index: result.push('inserted') - 1,
        row: {
          pixel_id: e.pixelId,
          event_name: e.payload.event_name,
          event_id: e.payload.event_id,
          event_time: e.payload.event_time,
          action_source: e.payload.action_source,
          source: e.source,
          payload: JSON.stringify(e.payload),
          status: e.status,
          attempts: 0,
          next_attempt_at: e.status === 'queued' ? now : null,
          created_at: now,
          updated_at: now,
        },
      });
    }
    for (let i = 0; i < toInsert.length; i += this.chunk) {
      const chunk = toInsert.slice(i, i + this.chunk);
      try {
        await this.insertRows(q, chunk.map((c) => c.row));
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const existing = new Set<string>();
        const rows = (await q(TABLE)
          .select('pixel_id', 'event_name', 'event_id')
          .whereIn('event_id', [...new Set(chunk.map((c) => c.row.event_id as string))])) as Array<Pick<EventRow, 'pixel_id' | 'event_name' | 'event_id'>>;
        for (const r of rows) existing.add(key(r.pixel_id, r.event_name, r.event_id));
        const fresh = chunk.filter((c) => !existing.has(c.k));
        for (const c of chunk) if (existing.has(c.k)) result[c.index] = 'duplicate';
        // A concurrent writer may insert the same key meanwhile: the unique key keeps one row.
        if (fresh.length) await q(TABLE).insert(fresh.map((c) => c.row)).onConflict(['event_id', 'pixel_id', 'event_name']).ignore();
      }
    }
    return result;
  }

  async findById(id: number): Promise<EventRecord | undefined> {
    const row = (await this.db<EventRow>(TABLE).where({ id }).first()) as EventRow | undefined;
    return row && mapRow(row);
  }

  async findByKey(pixelId: number, eventName: string, eventId: string): Promise<EventRecord | undefined> {
    const row = (await this.db<EventRow>(TABLE).where({ pixel_id: pixelId, event_name: eventName, event_id: eventId }).first()) as EventRow | undefined;
    return row && mapRow(row);
  }

  /**
   * Claims up to `limit` due events with a lease. Due means queued/retrying whose time has come,
   * or sending whose lease ran out (a crashed worker): `next_attempt_at` holds the lease expiry
   * while sending. On MySQL `FOR UPDATE SKIP LOCKED` lets several workers claim side by side.
   * `queuedOnly` looks at fresh events alone (the delivery loop does so between its once-a-second
   * wider claims; see Deliverer.claim).
   */
  async claimDue(opts: { now: number; limit: number; owner: string; leaseMs: number; excludePixelIds: number[]; queuedOnly?: boolean }): Promise<EventRecord[]> {
    return this.db.transaction(
      async (trx) => {
        // Per claimable status, the index (status, next_attempt_at) yields the oldest due rows in
        // order and stops at `limit`; the short lists are merged (usually only `queued` has any).
        // One query over the three statuses made MySQL read and sort every due row instead
        // (~370 ms per 1000-event claim over a 50 000-event backlog).
        const due: EventRow[] = [];
        for (const status of opts.queuedOnly ? (['queued'] as const) : CLAIMABLE) {
          let q = trx<EventRow>(TABLE).select('*').where('status', status).where('next_attempt_at', '<=', opts.now).orderBy('next_attempt_at').limit(opts.limit);
          if (opts.excludePixelIds.length) q = q.whereNotIn('pixel_id', opts.excludePixelIds);
          if (this.mysql) q = q.forUpdate().skipLocked();
          due.push(...((await q) as EventRow[]));
        }
        const rows = due.sort((x, y) => Number(x.next_attempt_at) - Number(y.next_attempt_at)).slice(0, opts.limit);
        if (!rows.length) return [];
        const ids = rows.map((r) => Number(r.id));
        for (let i = 0; i < ids.length; i += this.chunk) {
          await trx(TABLE).whereRaw(idIn(ids.slice(i, i + this.chunk))).update({ status: 'sending', lease_owner: opts.owner, next_attempt_at: opts.now + opts.leaseMs, attempts: trx.raw('attempts + 1'), updated_at: opts.now });
        }
        return rows.map((r) => {
          const record = mapRow(r);
          record.status = 'sending';
          record.attempts = r.attempts + 1;
          record.leaseOwner = opts.owner;
          record.nextAttemptAt = opts.now + opts.leaseMs;
          return record;
        });
      },
      // READ COMMITTED: rows looked at but not claimed (beyond the limit, a paused pixel's) are not kept locked.
      this.mysql ? { isolationLevel: 'read committed' } : undefined,
    );
  }

  /**
   * Records one outcome for a set of claimed events: their new status and one attempt row each.
   * Only rows still leased by `owner` are changed, so a worker whose lease expired cannot
   * overwrite the result of the worker that re-claimed them.
   */
  async recordOutcome(
    ids: number[],
    owner: string,
    update: { status: EventStatus; nextAttemptAt: number | null; errorCode?: number | null; errorSubcode?: number | null; errorMessage?: string | null; fbtraceId?: string | null; deliveredAt?: number | null; refundAttempt?: boolean },
    attempt: Omit<AttemptRecord, 'eventRowId'> | null,
  ): Promise<number> {
    if (!ids.length) return 0;
    const now = Date.now();
    return this.db.transaction(async (trx) => {
      let changed = 0;
      for (let i = 0; i < ids.length; i += this.chunk) {
        const chunk = ids.slice(i, i + this.chunk);
        const patch: Record<string, unknown> = {
          status: update.status,
          next_attempt_at: update.nextAttemptAt,
          lease_owner: null,
          updated_at: now,
        };
        if (update.errorCode !== undefined) patch.last_error_code = update.errorCode;
        if (update.errorSubcode !== undefined) patch.last_error_subcode = update.errorSubcode;
        if (update.errorMessage !== undefined) patch.last_error_message = update.errorMessage?.slice(0, 1000) ?? null;
        if (update.fbtraceId !== undefined) patch.fbtrace_id = update.fbtraceId;
        if (update.deliveredAt !== undefined) patch.delivered_at = update.deliveredAt;
        if (update.refundAttempt) patch.attempts = trx.raw('CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END');
        changed += await trx(TABLE).whereRaw(idIn(chunk)).where({ status: 'sending', lease_owner: owner }).update(patch);
        if (attempt) await this.addAttempts(chunk, attempt, trx);
      }
      return changed;
    });
  }

  /**
   * One attempt row per event (a batch attempt is recorded against each of its events). The rows
   * differ only in the event, so they are copied from the events by INSERT … SELECT: the values
   * travel once per statement instead of once per row (~10 µs less per event on MariaDB).
   */
  async addAttempts(ids: number[], attempt: Omit<AttemptRecord, 'eventRowId'>, trx: Db = this.db): Promise<void> {
    const values = [
      attempt.attemptedAt,
      attempt.outcome,
      attempt.httpStatus,
      attempt.errorCode,
      attempt.errorSubcode,
      attempt.isTransient,
      attempt.message?.slice(0, 1000) ?? null,
      attempt.fbtraceId,
      attempt.durationMs,
      attempt.batchSize,
    ];
    const columns = ['event_row_id', 'attempted_at', 'outcome', 'http_status', 'error_code', 'error_subcode', 'is_transient', 'message', 'fbtrace_id', 'duration_ms', 'batch_size'];
    for (let i = 0; i < ids.length; i += this.chunk) {
      const rows = trx(TABLE)
        .select('id', ...values.map((v) => trx.raw('?', [v])))
        .whereRaw(idIn(ids.slice(i, i + this.chunk)))
        .orderBy('id')
        .toSQL();
      await trx.raw(`insert into ?? (${columns.map(() => '??').join(', ')}) ${rows.sql}`, [ATTEMPTS, ...columns, ...rows.bindings]);
    }
  }

  /** Gives claimed events back unsent (shutdown, paused pixel): due again now, attempt not counted. */
  async release(ids: number[], owner: string): Promise<number> {
    if (!ids.length) return 0;
    return this.db(TABLE)
      .whereIn('id', ids)
      .where({ status: 'sending', lease_owner: owner })
      .update({ status: 'queued', lease_owner: null, next_attempt_at: Date.now(), attempts: this.db.raw('CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END'), updated_at: Date.now() });
  }

  /**
   * A paused pixel's waiting events are parked (`next_attempt_at` NULL) so claims never read past
   * them: a pixel whose token expired over a weekend would otherwise put its whole backlog in
   * front of every other pixel's (a 1000-event claim behind 50 000 parked-in-place events took
   * ~270 ms instead of ~60). Lifting the pause makes them due again. Pausing and resuming do this
   * at once (PixelRepository); the sweep job runs both statements to heal any race with intake.
   */
  async parkPaused(): Promise<number> {
    const paused = ((await this.db('pixels').whereNotNull('paused_at').pluck('id')) as Array<number | string>).map(Number);
    if (!paused.length) return 0; // the usual case: nothing to scan
    return this.sweepUpdate((q) => parkEvents(q, paused));
  }

  /** Parked events of pixels that are no longer paused become due now. */
  async unparkActive(now = Date.now()): Promise<number> {
    // An explicit id list, so the index (status, next_attempt_at, pixel_id) is read only where
    // active pixels' entries would be, not across a paused pixel's parked backlog.
    const active = ((await this.db('pixels').whereNull('paused_at').pluck('id')) as Array<number | string>).map(Number);
    if (!active.length) return 0;
    return this.sweepUpdate((q) => unparkEvents(q, active, now));
  }

  /**
   * The sweep's bulk updates read many index entries; on MySQL they run READ COMMITTED so rows
   * looked at but not changed are not kept locked against claims.
   */
  private sweepUpdate(fn: (q: Db) => Promise<number>): Promise<number> {
    if (!this.mysql) return fn(this.db);
    return this.db.transaction((trx) => fn(trx), { isolationLevel: 'read committed' });
  }

  /** Marks events still waiting (queued/retrying) but older than Meta's window as expired. */
  async expireOlderThan(eventTimeS: number): Promise<number> {
    return this.db(TABLE)
      .whereIn('status', WAITING)
      .where('event_time', '<', eventTimeS)
      .update({ status: 'expired', next_attempt_at: null, updated_at: Date.now() });
  }

  /**
   * Retention: deletes finished events created before `before` with their attempt rows, `chunk`
   * events per statement so locks stay short. Returns how many were deleted.
   */
  async purgeFinishedBefore(before: number, chunk = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = (await this.db(TABLE).select('id').whereIn('status', FINISHED).where('created_at', '<', before).limit(chunk)) as Array<{ id: number }>;
      if (!ids.length) return total;
      const list = ids.map((r) => r.id);
      await this.db(ATTEMPTS).whereIn('event_row_id', list).delete();
      total += await this.db(TABLE).whereIn('id', list).delete();
    }
  }

  /** Admin retry: failed / not_delivered back to queued, due now. Idempotent. */
  async requeue(ids: number[]): Promise<number> {
    const now = Date.now();
    const run = async (q: Db) => {
      let changed = 0;
      for (let i = 0; i < ids.length; i += this.chunk) {
        changed += await q(TABLE)
          .whereIn('id', ids.slice(i, i + this.chunk))
          .whereIn('status', RETRYABLE)
          .update({ status: 'queued', attempts: 0, next_attempt_at: now, updated_at: now });
      }
      return changed;
    };
    // All or nothing, like insertMany: one statement on its own, several in a transaction.
    return ids.length <= this.chunk ? run(this.db) : this.db.transaction(run);
  }

  /** Waiting events by status, and how long the oldest due one has waited (for metrics). */
  async queueStats(now: number): Promise<{ depth: Record<string, number>; oldestDueAgeS: Record<string, number> }> {
    const rows = (await this.db(TABLE).select('status').count({ n: '*' }).whereIn('status', CLAIMABLE).groupBy('status')) as Array<{ status: string; n: number | string }>;
    const oldest = (await this.db(TABLE).select('status').min({ t: 'next_attempt_at' }).whereIn('status', WAITING).where('next_attempt_at', '<=', now).groupBy('status')) as Array<{ status: string; t: number | string | null }>;
    return {
      depth: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      oldestDueAgeS: Object.fromEntries(oldest.map((r) => [r.status, r.t == null ? 0 : Math.max(0, (now - Number(r.t)) / 1000)])),
    };
  }

  /** How many events `purgeFinishedBefore(before)` would delete (same statuses), for a dry run. */
  async countFinishedBefore(before: number): Promise<number> {
    const row = (await this.db(TABLE).count({ n: '*' }).whereIn('status', FINISHED).where('created_at', '<', before).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
}

/** Parks the waiting events of these pixels: no next attempt, so claims never read them (EventRepository.parkPaused). */
export function parkEvents(q: Db, pixelIds: number[]): Promise<number> {
  return q(TABLE).whereIn('status', WAITING).whereNotNull('next_attempt_at').whereIn('pixel_id', pixelIds).update({ next_attempt_at: null });
}

/** The parked events of these pixels become due at `now`. */
export function unparkEvents(q: Db, pixelIds: number[], now = Date.now()): Promise<number> {
  return q(TABLE).whereIn('status', WAITING).whereNull('next_attempt_at').whereIn('pixel_id', pixelIds).update({ next_attempt_at: now });
}
