import crypto from 'node:crypto';
import { sha256 } from '../shared/crypto';
import { TtlCache } from '../shared/ttl-cache';
import type { ApiKey, ApiKeyRepository } from './repository';

const KEY_PREFIX = 'mcb_';
/** Verified keys are remembered this long; a revocation applies at once in this process, within this in others. */
export const API_KEY_CACHE_TTL_MS = 10_000;

/** API keys for backend services: shown once at creation, stored as SHA-256 only. */
export class ApiKeyService {
  private readonly lastTouched = new Map<number, number>();
  private readonly verified = new TtlCache<string, ApiKey | undefined>(API_KEY_CACHE_TTL_MS);
  constructor(private readonly repo: ApiKeyRepository) {}

  async create(name: string): Promise<{ key: string; apiKey: ApiKey }> {
    const key = KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
    const apiKey = await this.repo.create(name, key.slice(0, 12), sha256(key));
    return { key, apiKey };
  }

  /** The key's record when valid and not revoked; `last_used_at` is written at most once a minute per key. */
  async verify(key: string): Promise<ApiKey | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const hash = sha256(key);
    const apiKey = await this.verified.get(hash, () => this.repo.findActiveByHash(hash));
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

  async revoke(id: number): Promise<boolean> {
    const revoked = await this.repo.revoke(id);
    this.verified.clear();
    return revoked;
  }

  // ---- Dashboard (admin REST) ----

  findById(id: number): Promise<ApiKey | undefined> {
    return this.repo.findById(id);
  }

  listPage(query: Parameters<ApiKeyRepository['listPage']>[0]): Promise<{ rows: ApiKey[]; total: number }> {
    return this.repo.listPage(query);
  }
}
