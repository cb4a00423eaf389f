import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { isDuplicateKeyError } from '../shared/db';
import type { Logger } from '../shared/logger';
import { EVENT_STATUSES } from '../events/vocabulary';
import type { EventQueryRepository } from '../events/query-repository';
import { DEFINITION_SORTABLE, type DefinitionFilter, type DefinitionRepository, type EventDefinition } from '../definitions/repository';
import { booleanFilter, idFilter, many, parseListQuery, sendList, type ListQuery, type ListSpec } from './list-query';
import { parseBody, parseId } from './http';
import type { DefinitionRecord, StatusCounts } from './records';

export interface DefinitionWithCounts extends EventDefinition {
  counts24h: StatusCounts;
  counts7d: StatusCounts;
}

const emptyCounts = (): StatusCounts => Object.fromEntries([...EVENT_STATUSES, 'total'].map((s) => [s, 0])) as StatusCounts;

export function definitionRecord(d: DefinitionWithCounts): DefinitionRecord {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    is_standard: d.isStandard,
    enabled: d.enabled,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    counts_24h: d.counts24h,
    counts_7d: d.counts7d,
  };
}

/** Same rule as intake's event_name. */
const name = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_\-. ]+$/, 'may contain letters, digits, spaces, _ - and . only');
const description = z.string({ error: 'must be text' }).max(1000, 'must be at most 1000 characters');
const enabled = z.boolean({ error: 'must be true or false' });

const CreateDefinition = z.strictObject({ name, description: description.optional(), enabled: enabled.optional() });
const UpdateDefinition = z.strictObject({ name: name.optional(), description: description.optional(), enabled: enabled.optional() });
const READ_ONLY = ['id', 'is_standard', 'created_at', 'updated_at', 'counts_24h', 'counts_7d'] as const;

const listSpec: ListSpec<DefinitionFilter> = {
  sortable: Object.keys(DEFINITION_SORTABLE),
  defaultSort: { field: 'name', order: 'asc' },
  filter: z
    .strictObject({
      id: idFilter.optional(),
      name: z.string().max(100).optional(),
      q: z.string().max(100).optional(),
      enabled: booleanFilter.optional(),
      is_standard: booleanFilter.optional(),
    })
    .transform((f) => ({ ...f, id: many(f.id) })),
};

/**
 * Event definitions: every standard and custom event, its enabled state and what happened to its
 * events lately. Intake reads definitions on every request, so a change applies to the next one.
 */
export class DefinitionAdminService {
  constructor(
    private readonly definitions: DefinitionRepository,
    private readonly query: EventQueryRepository,
    private readonly logger: Logger,
    /** Called after every change, so intake in this process stops using its cached copy at once. */
    private readonly onChange: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async list(q: ListQuery<DefinitionFilter>): Promise<{ rows: DefinitionWithCounts[]; total: number }> {
    const page = await this.definitions.listPage(q);
    return { rows: await this.withCounts(page.rows), total: page.total };
  }

  async get(id: number): Promise<DefinitionWithCounts> {
    const def = await this.definitions.findById(id);
    if (!def) throw new NotFoundError(`No event definition #${id}`);
    return (await this.withCounts([def]))[0]!;
  }

  async create(input: { name: string; description?: string; enabled?: boolean }): Promise<DefinitionWithCounts> {
    if (await this.definitions.findByName(input.name)) throw new ConflictError(`An event named ${input.name} already exists`, { name: 'already exists' });
    try {
      const def = await this.definitions.create({ name: input.name, description: input.description, enabled: input.enabled, isStandard: false });
      this.onChange();
      this.logger.info({ eventName: def.name, enabled: def.enabled }, 'custom event created');
      return this.get(def.id);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`An event named ${input.name} already exists`, { name: 'already exists' });
      throw err;
    }
  }

  /** Any event can be enabled or disabled; only custom events can be renamed or described. */
  async update(id: number, patch: { name?: string; description?: string; enabled?: boolean }): Promise<DefinitionWithCounts> {
    const current = await this.get(id);
    if (current.isStandard) {
      const errors: Record<string, string> = {};
      if (patch.name !== undefined && patch.name !== current.name) errors.name = 'a standard event cannot be renamed';
      if (patch.description !== undefined && patch.description !== current.description) errors.description = 'a standard event keeps Meta’s description';
      if (Object.keys(errors).length) throw new ValidationError('Standard events can only be enabled or disabled', errors);
    }
    try {
      await this.definitions.update(id, current.isStandard ? { enabled: patch.enabled } : patch);
      this.onChange();
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`An event named ${patch.name ?? ''} already exists`, { name: 'already exists' });
      throw err;
    }
    const updated = await this.get(id);
    if (updated.enabled !== current.enabled) this.logger.info({ eventName: updated.name, enabled: updated.enabled }, `event ${updated.enabled ? 'enabled' : 'disabled'}`);
    return updated;
  }

  async delete(id: number): Promise<DefinitionWithCounts> {
    const current = await this.get(id);
    if (current.isStandard) throw new AppError(409, 'standard_event', `${current.name} is a standard Meta event and cannot be deleted; disable it instead`, { id: 'is a standard event' });
    await this.definitions.deleteCustom(id);
    this.onChange();
    this.logger.info({ eventName: current.name }, 'custom event deleted');
    return current;
  }

  private async withCounts(defs: EventDefinition[]): Promise<DefinitionWithCounts[]> {
    const now = this.now();
    const rows = await this.query.countsByNameAndStatus(now - 86_400_000, now - 7 * 86_400_000, defs.map((d) => d.name));
    const byName = new Map<string, { c24: StatusCounts; c7: StatusCounts }>();
    for (const r of rows) {
      const entry = byName.get(r.eventName) ?? { c24: emptyCounts(), c7: emptyCounts() };
      entry.c24[r.status] = (entry.c24[r.status] ?? 0) + r.last24h;
      entry.c24.total += r.last24h;
      entry.c7[r.status] = (entry.c7[r.status] ?? 0) + r.last7d;
      entry.c7.total += r.last7d;
      byName.set(r.eventName, entry);
    }
    return defs.map((d) => ({ ...d, counts24h: byName.get(d.name)?.c24 ?? emptyCounts(), counts7d: byName.get(d.name)?.c7 ?? emptyCounts() }));
  }
}

export function definitionsRouter(service: DefinitionAdminService) {
  const list: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, listSpec);
    const page = await service.list(q);
    sendList(res, 'event-definitions', q.range, { rows: page.rows.map(definitionRecord), total: page.total });
  };
  const get: RequestHandler = async (req, res) => {
    res.json(definitionRecord(await service.get(parseId(req.params.id))));
  };
  const create: RequestHandler = async (req, res) => {
    res.status(201).json(definitionRecord(await service.create(parseBody(req.body, CreateDefinition))));
  };
  const update: RequestHandler = async (req, res) => {
    res.json(definitionRecord(await service.update(parseId(req.params.id), parseBody(req.body, UpdateDefinition, READ_ONLY))));
  };
  const remove: RequestHandler = async (req, res) => {
    res.json(definitionRecord(await service.delete(parseId(req.params.id))));
  };
  return { list, get, create, update, remove };
}
