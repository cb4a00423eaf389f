import type { Db } from '../shared/db';

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: number | string;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}

const TABLE = 'api_keys';

export interface ApiKeyFilter {
  id?: number[];
  q?: string;
  revoked?: boolean;
}

/** Dashboard list sort: API field → column. */
export const API_KEY_SORTABLE: Record<string, string> = {
  id: 'id',
  name: 'name',
  prefix: 'prefix',
  created_at: 'created_at',
  last_used_at: 'last_used_at',
  revoked_at: 'revoked_at',
};

function mapRow(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export class ApiKeyRepository {
  constructor(private readonly db: Db) {}

  async create(name: string, prefix: string, keyHash: string): Promise<ApiKey> {
    const [id] = await this.db(TABLE).insert({ name, prefix, key_hash: keyHash, created_at: Date.now() });
    return mapRow((await this.db<ApiKeyRow>(TABLE).where({ id: Number(id) }).first()) as ApiKeyRow);
  }

  async findActiveByHash(keyHash: string): Promise<ApiKey | undefined> {
    const row = (await this.db<ApiKeyRow>(TABLE).where({ key_hash: keyHash }).whereNull('revoked_at').first()) as ApiKeyRow | undefined;
    return row && mapRow(row);
  }

  async list(): Promise<ApiKey[]> {
    return ((await this.db<ApiKeyRow>(TABLE).orderBy('id')) as ApiKeyRow[]).map(mapRow);
  }

  async revoke(id: number): Promise<boolean> {
    return (await this.db(TABLE).where({ id }).whereNull('revoked_at').update({ revoked_at: Date.now() })) > 0;
  }

  async touch(id: number, at: number): Promise<void> {
    await this.db(TABLE).where({ id }).update({ last_used_at: at });
  }

  // ---- Dashboard (admin REST) ----

  async findById(id: number): Promise<ApiKey | undefined> {
    const row = (await this.db<ApiKeyRow>(TABLE).where({ id }).first()) as ApiKeyRow | undefined;
    return row && mapRow(row);
  }

  /** One page of keys (never their hashes); the sort field must be in API_KEY_SORTABLE, filter values are bound. */
  async listPage(query: { filter: ApiKeyFilter; sort: { field: string; order: 'asc' | 'desc' }; range: { start: number; end: number } }): Promise<{ rows: ApiKey[]; total: number }> {
    const column = API_KEY_SORTABLE[query.sort.field];
    if (!column) throw new Error(`api-keys: sort field ${query.sort.field} is not allow-listed`);
    const f = query.filter;
    const base = () => {
      const q = this.db<ApiKeyRow>(TABLE);
      if (f.id) q.whereIn('id', f.id);
      if (f.q) q.whereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [`%${f.q.toLowerCase().replace(/[!%_]/g, '!$&')}%`]);
      if (f.revoked === true) q.whereNotNull('revoked_at');
      if (f.revoked === false) q.whereNull('revoked_at');
      return q;
    };
    const [rows, count] = await Promise.all([
      base().select('*').orderBy([{ column, order: query.sort.order }, { column: 'id', order: query.sort.order }]).offset(query.range.start).limit(query.range.end - query.range.start + 1),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: (rows as ApiKeyRow[]).map(mapRow), total: Number((count as { n: number | string } | undefined)?.n ?? 0) };
  }
}
