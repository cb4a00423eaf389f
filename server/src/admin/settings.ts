import type { RequestHandler } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { SettingsRepository } from '../settings/repository';
import type { Settings } from '../settings/schema';
import { idFilter, parseListQuery, sendList, type ListSpec } from './list-query';
import { parseBody } from './http';
import type { SettingsRecord } from './records';

/** Settings are one record, `id` 1: react-admin edits it at `settings/1`. */
export const SETTINGS_ID = 1;

export function settingsRecord(s: Settings): SettingsRecord {
  return {
    id: SETTINGS_ID,
    retry_max_attempts: s.retry.maxAttempts,
    retry_base_backoff_ms: s.retry.baseBackoffMs,
    retry_max_backoff_ms: s.retry.maxBackoffMs,
    batch_size: s.batchSize,
    request_timeout_ms: s.requestTimeoutMs,
    retention_days: s.retentionDays,
  };
}

const int = (min: number, max: number, unit = '') =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}${unit}`).max(max, `must be at most ${max}${unit}`);

/** Same bounds as server/src/settings/schema.ts, in the API's field names. Absent fields keep their value. */
const UpdateSettings = z.strictObject({
  retry_max_attempts: int(1, 50).optional(),
  retry_base_backoff_ms: int(100, 3_600_000, ' ms').optional(),
  retry_max_backoff_ms: int(1_000, 86_400_000, ' ms').optional(),
  batch_size: int(1, 1000, ' (Meta accepts up to 1000 events per request)').optional(),
  request_timeout_ms: int(200, 60_000, ' ms').optional(),
  retention_days: int(1, 3650, ' days').optional(),
});

export class SettingsAdminService {
  constructor(
    private readonly settings: SettingsRepository,
    private readonly logger: Logger,
  ) {}

  get(): Promise<Settings> {
    return this.settings.get();
  }

  async update(patch: z.infer<typeof UpdateSettings>): Promise<Settings> {
    const current = await this.settings.get();
    const next: Settings = {
      retry: {
        maxAttempts: patch.retry_max_attempts ?? current.retry.maxAttempts,
        baseBackoffMs: patch.retry_base_backoff_ms ?? current.retry.baseBackoffMs,
        maxBackoffMs: patch.retry_max_backoff_ms ?? current.retry.maxBackoffMs,
      },
      batchSize: patch.batch_size ?? current.batchSize,
      requestTimeoutMs: patch.request_timeout_ms ?? current.requestTimeoutMs,
      retentionDays: patch.retention_days ?? current.retentionDays,
    };
    if (next.retry.maxBackoffMs < next.retry.baseBackoffMs) {
      throw new ValidationError('The maximum backoff must be at least the base backoff', { retry_max_backoff_ms: 'must be at least retry_base_backoff_ms' });
    }
    const saved = await this.settings.save(next);
    this.logger.info({ settings: settingsRecord(saved) }, 'settings updated');
    return saved;
  }
}

const listSpec: ListSpec<{ id?: number | number[] }> = {
  sortable: ['id'],
  defaultSort: { field: 'id', order: 'asc' },
  filter: z.strictObject({ id: idFilter.optional() }),
};

function checkId(raw: unknown): void {
  if (raw !== String(SETTINGS_ID)) throw new NotFoundError(`Settings are a single record: use settings/${SETTINGS_ID}`);
}

export function settingsRouter(service: SettingsAdminService) {
  /** `GET settings`: the one record as a list, for react-admin list views. */
  const list: RequestHandler = async (req, res) => {
    parseListQuery(req.query, listSpec); // same sort/range/filter rules as every list, though there is one record
    sendList(res, 'settings', { start: 0, end: 0 }, { rows: [settingsRecord(await service.get())], total: 1 });
  };
  const get: RequestHandler = async (req, res) => {
    checkId(req.params.id);
    res.json(settingsRecord(await service.get()));
  };
  const update: RequestHandler = async (req, res) => {
    checkId(req.params.id);
    res.json(settingsRecord(await service.update(parseBody(req.body, UpdateSettings, ['id']))));
  };
  return { list, get, update };
}
