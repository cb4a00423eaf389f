import type { Db } from '../shared/db';

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

  async setToken(id: number, sealed: string, last4: string): Promise<void> {
    // A new token un-pauses the pixel: the queued events will be claimed again.
    await this.db(TABLE).where({ id }).update({ access_token_enc: sealed, access_token_last4: last4, paused_reason: null, paused_at: null, updated_at: Date.now() });
  }

  async pause(id: number, reason: string): Promise<void> {
    await this.db(TABLE).where({ id }).whereNull('paused_at').update({ paused_reason: reason.slice(0, 500), paused_at: Date.now(), updated_at: Date.now() });
  }

  async pausedIds(): Promise<number[]> {
    return ((await this.db(TABLE).whereNotNull('paused_at').pluck('id')) as number[]).map(Number);
  }
}
