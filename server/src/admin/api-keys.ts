import type { RequestHandler } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { API_KEY_SORTABLE, type ApiKey, type ApiKeyFilter } from '../api-keys/repository';
import type { ApiKeyService } from '../api-keys/service';
import type { User } from '../users/repository';
import { currentUser } from '../auth/guards';
import { booleanFilter, idFilter, many, parseListQuery, sendList, type ListSpec } from './list-query';
import { parseBody, parseId } from './http';
import type { ApiKeyRecord } from './records';

/** The API record of an API key: never the key (shown once, at creation) nor its hash. */
export function apiKeyRecord(k: ApiKey): ApiKeyRecord {
  return { id: k.id, name: k.name, prefix: k.prefix, created_at: k.createdAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt, revoked: k.revokedAt !== null };
}

const CreateKey = z.strictObject({ name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(191, 'must be at most 191 characters') });

const listSpec: ListSpec<ApiKeyFilter> = {
  sortable: Object.keys(API_KEY_SORTABLE),
  defaultSort: { field: 'id', order: 'desc' },
  filter: z.strictObject({ id: idFilter.optional(), q: z.string().max(191).optional(), revoked: booleanFilter.optional() }).transform((f) => ({ ...f, id: many(f.id) })),
};

export class ApiKeyAdminService {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly logger: Logger,
  ) {}

  list(q: Parameters<ApiKeyService['listPage']>[0]) {
    return this.keys.listPage(q);
  }

  async get(id: number): Promise<ApiKey> {
    const key = await this.keys.findById(id);
    if (!key) throw new NotFoundError(`No API key #${id}`);
    return key;
  }

  async create(name: string, actor: User): Promise<{ key: string; apiKey: ApiKey }> {
    const created = await this.keys.create(name);
    this.logger.info({ apiKeyId: created.apiKey.id, prefix: created.apiKey.prefix, by: actor.id }, 'API key created');
    return created;
  }

  /** Revokes the key (idempotent) and returns its record. */
  async revoke(id: number, actor: User): Promise<ApiKey> {
    await this.get(id);
    if (await this.keys.revoke(id)) this.logger.info({ apiKeyId: id, by: actor.id }, 'API key revoked');
    return this.get(id);
  }
}

export function apiKeysRouter(service: ApiKeyAdminService) {
  const list: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, listSpec);
    const page = await service.list(q);
    sendList(res, 'api-keys', q.range, { rows: page.rows.map(apiKeyRecord), total: page.total });
  };
  const get: RequestHandler = async (req, res) => {
    res.json(apiKeyRecord(await service.get(parseId(req.params.id))));
  };
  /** The only answer that ever contains the key. */
  const create: RequestHandler = async (req, res) => {
    const { name } = parseBody(req.body, CreateKey);
    const { key, apiKey } = await service.create(name, currentUser(res));
    res.status(201).json({ ...apiKeyRecord(apiKey), key });
  };
  const revoke: RequestHandler = async (req, res) => {
    res.json(apiKeyRecord(await service.revoke(parseId(req.params.id), currentUser(res))));
  };
  return { list, get, create, revoke };
}
