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
}
