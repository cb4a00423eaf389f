import crypto from 'node:crypto';
import { sha256 } from '../shared/crypto';
import type { ApiKey, ApiKeyRepository } from './repository';

const KEY_PREFIX = 'mcb_';

/** API keys for backend services: shown once at creation, stored as SHA-256 only. */
export class ApiKeyService {
  private readonly lastTouched = new Map<number, number>();
  constructor(private readonly repo: ApiKeyRepository) {}

  async create(name: string): Promise<{ key: string; apiKey: ApiKey }> {
    const key = KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
    const apiKey = await this.repo.create(name, key.slice(0, 12), sha256(key));
    return { key, apiKey };
  }

  /** The key's record when valid and not revoked; `last_used_at` is written at most once a minute per key. */
  async verify(key: string): Promise<ApiKey | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const apiKey = await this.repo.findActiveByHash(sha256(key));
    if (apiKey) {
      const now = Date.now();
      if (now - (this.lastTouched.get(apiKey.id) ?? 0) > 60_000) {
        this.lastTouched.set(apiKey.id, now);
        await this.repo.touch(apiKey.id, now);
      }
    }
    return apiKey;
  }

  list(): Promise<ApiKey[]> {
    return this.repo.list();
  }

  revoke(id: number): Promise<boolean> {
    return this.repo.revoke(id);
  }

  // ---- Dashboard (admin REST) ----

  findById(id: number): Promise<ApiKey | undefined> {
    return this.repo.findById(id);
  }

  listPage(query: Parameters<ApiKeyRepository['listPage']>[0]): Promise<{ rows: ApiKey[]; total: number }> {
    return this.repo.listPage(query);
  }
}
