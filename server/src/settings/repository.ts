import type { Db } from '../shared/db';
import { SettingsSchema, type Settings } from './schema';

const TABLE = 'settings';
const KEY = 'bus';

/** Settings are one JSON document under a single key; reads are cached briefly so hot paths stay cheap. */
export class SettingsRepository {
  private cache?: { value: Settings; at: number };
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 2_000,
  ) {}

  async get(): Promise<Settings> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.value;
    const row = (await this.db(TABLE).where({ key: KEY }).first()) as { value: string } | undefined;
    const value = SettingsSchema.parse(row ? JSON.parse(row.value) : {});
    this.cache = { value, at: Date.now() };
    return value;
  }

  async save(settings: Settings): Promise<Settings> {
    const value = SettingsSchema.parse(settings);
    await this.db(TABLE)
      .insert({ key: KEY, value: JSON.stringify(value), updated_at: Date.now() })
      .onConflict('key')
      .merge(['value', 'updated_at']);
    this.cache = { value, at: Date.now() };
    return value;
  }
}
