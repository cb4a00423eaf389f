import type { Db } from '../shared/db';
import { parkEvents, unparkEvents } from '../events/repository';

export interface Pixel {
  id: number;
  datasetId: string;
  name: string;
  hasAccessToken: boolean;
  accessTokenLast4: string | null;
  testEventCode: string | null;
  testEventCodeExpiresAt: number | null;
  enabled: boolean;
  allowedOrigins: string[];
  pausedReason: string | null;
  pausedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The pixel's test event code while it is active (set and not expired at `now`), else null. */
export function activeTestEventCode(p: Pick<Pixel, 'testEventCode' | 'testEventCodeExpiresAt'>, now: number): string | null {
  return p.testEventCode && (p.testEventCodeExpiresAt === null || p.testEventCodeExpiresAt > now) ? p.testEventCode : null;
}

interface PixelRow {
  id: number;
  dataset_id: string;
  name: string;
  access_token_enc: string | null;
  access_token_last4: string | null;
  test_event_code: string | null;
  test_event_code_expires_at: number | string | null;
  enabled: number | boolean;
  allowed_origins: string;
  paused_reason: string | null;
  paused_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

const TABLE = 'pixels';

export interface PixelFilter {
  id?: number[];
  dataset_id?: string;
  q?: string;
  enabled?: boolean;
  paused?: boolean;
}

/** Dashboard list sort: API field → column. */
export const PIXEL_SORTABLE: Record<string, string> = {
  id: 'id',
  name: 'name',
  dataset_id: 'dataset_id',
  enabled: 'enabled',
  paused_at: 'paused_at',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

export interface PixelPatch {
  name?: string;
  enabled?: boolean;
  allowedOrigins?: string[];
  testEventCode?: string | null;
  testEventCodeExpiresAt?: number | null;
}
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function mapRow(r: PixelRow): Pixel {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    name: r.name,
    hasAccessToken: r.access_token_enc !== null,
    accessTokenLast4: r.access_token_last4,
    testEventCode: r.test_event_code,
    testEventCodeExpiresAt: num(r.test_event_code_expires_at),
    enabled: Boolean(r.enabled),
    allowedOrigins: JSON.parse(r.allowed_origins) as string[],
    pausedReason: r.paused_reason,
    pausedAt: num(r.paused_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface NewPixel {
  datasetId: string;
  name: string;
  accessTokenEnc?: string | null;
  accessTokenLast4?: string | null;
  testEventCode?: string | null;
  allowedOrigins?: string[];
  enabled?: boolean;
}

export class PixelRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<Pixel[]> {
    return ((await this.db<PixelRow>(TABLE).orderBy('id')) as PixelRow[]).map(mapRow);
  }

  async findById(id: number): Promise<Pixel | undefined> {
    const row = (await this.db<PixelRow>(TABLE).where({ id }).first()) as PixelRow | undefined;
    return row && mapRow(row);
  }

  async findByDatasetId(datasetId: string): Promise<Pixel | undefined> {
    const row = (await this.db<PixelRow>(TABLE).where({ dataset_id: datasetId }).first()) as PixelRow | undefined;
    return row && mapRow(row);
  }

  async count(): Promise<number> {
    const row = (await this.db(TABLE).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** The sealed access token, for the delivery path only; never leaves the server. */
  async sealedToken(id: number): Promise<string | null> {
    const row = (await this.db<PixelRow>(TABLE).select('access_token_enc').where({ id }).first()) as Pick<PixelRow, 'access_token_enc'> | undefined;
    return row?.access_token_enc ?? null;
  }

  async create(p: NewPixel, trx: Db = this.db): Promise<Pixel> {
    const now = Date.now();
    const [id] = await trx(TABLE).insert({
      dataset_id: p.datasetId,
      name: p.name,
      access_token_enc: p.accessTokenEnc ?? null,
      access_token_last4: p.accessTokenLast4 ?? null,
      test_event_code: p.testEventCode ?? null,
      enabled: p.enabled ?? true,
      allowed_origins: JSON.stringify(p.allowedOrigins ?? []),
      created_at: now,
      updated_at: now,
    });
    return (await this.findById(Number(id)))!;
  }

  /** A new token un-pauses the pixel: its parked events are due again. */
  async setToken(id: number, sealed: string, last4: string): Promise<void> {
    await this.liftPause(id, { access_token_enc: sealed, access_token_last4: last4 });
  }

  /** Pauses delivery for the pixel and parks its waiting events (EventRepository.parkPaused explains why). */
  async pause(id: number, reason: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx(TABLE).where({ id }).whereNull('paused_at').update({ paused_reason: reason.slice(0, 500), paused_at: Date.now(), updated_at: Date.now() });
      await parkEvents(trx, [id]);
    });
  }

  async pausedIds(): Promise<number[]> {
    return ((await this.db(TABLE).whereNotNull('paused_at').pluck('id')) as number[]).map(Number);
  }

  // ---- Dashboard (admin REST) ----

  /** One page of pixels; the sort field must be in PIXEL_SORTABLE, filter values are bound. */
  async listPage(query: { filter: PixelFilter; sort: { field: string; order: 'asc' | 'desc' }; range: { start: number; end: number } }): Promise<{ rows: Pixel[]; total: number }> {
    const column = PIXEL_SORTABLE[query.sort.field];
    if (!column) throw new Error(`pixels: sort field ${query.sort.field} is not allow-listed`);
    const f = query.filter;
    const base = () => {
      const q = this.db<PixelRow>(TABLE);
      if (f.id) q.whereIn('id', f.id);
      if (f.dataset_id !== undefined) q.where('dataset_id', f.dataset_id);
      if (f.q) {
        const like = `%${f.q.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
        q.where((w) => w.whereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [like]).orWhereRaw(`dataset_id LIKE ? ESCAPE '!'`, [like]));
      }
      if (f.enabled !== undefined) q.where('enabled', f.enabled);
      if (f.paused === true) q.whereNotNull('paused_at');
      if (f.paused === false) q.whereNull('paused_at');
      return q;
    };
    const [rows, count] = await Promise.all([
      base().select('*').orderBy([{ column, order: query.sort.order }, { column: 'id', order: query.sort.order }]).offset(query.range.start).limit(query.range.end - query.range.start + 1),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: (rows as PixelRow[]).map(mapRow), total: Number((count as { n: number | string } | undefined)?.n ?? 0) };
  }

  async update(id: number, patch: PixelPatch): Promise<Pixel | undefined> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.allowedOrigins !== undefined) row.allowed_origins = JSON.stringify(patch.allowedOrigins);
    if (patch.testEventCode !== undefined) row.test_event_code = patch.testEventCode;
    if (patch.testEventCodeExpiresAt !== undefined) row.test_event_code_expires_at = patch.testEventCodeExpiresAt;
    await this.db(TABLE).where({ id }).update(row);
    return this.findById(id);
  }

  /** Lifts a pause (an admin says the cause is fixed): its waiting events are claimed again. */
  async resume(id: number): Promise<void> {
    await this.liftPause(id);
  }

  /** Clears the pause (with any other column changes) and makes the parked events due, in one transaction. */
  private liftPause(id: number, changes: Record<string, unknown> = {}): Promise<void> {
    return this.db.transaction(async (trx) => {
      await trx(TABLE).where({ id }).update({ ...changes, paused_reason: null, paused_at: null, updated_at: Date.now() });
      await unparkEvents(trx, [id]);
    });
  }
}
