import type { Db } from '../shared/db';

export interface EventDefinition {
  id: number;
  name: string;
  isStandard: boolean;
  description: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

interface DefinitionRow {
  id: number;
  name: string;
  is_standard: number | boolean;
  description: string;
  enabled: number | boolean;
  created_at: number | string;
  updated_at: number | string;
}

const TABLE = 'event_definitions';

export interface DefinitionFilter {
  id?: number[];
  name?: string;
  q?: string;
  enabled?: boolean;
  is_standard?: boolean;
}

/** Dashboard list sort: API field → column. */
export const DEFINITION_SORTABLE: Record<string, string> = {
  id: 'id',
  name: 'name',
  enabled: 'enabled',
  is_standard: 'is_standard',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

export interface DefinitionListQuery {
  filter: DefinitionFilter;
  sort: { field: string; order: 'asc' | 'desc' };
  range: { start: number; end: number };
}

function mapRow(r: DefinitionRow): EventDefinition {
  return {
    id: r.id,
    name: r.name,
    isStandard: Boolean(r.is_standard),
    description: r.description,
    enabled: Boolean(r.enabled),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export class DefinitionRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<EventDefinition[]> {
    return ((await this.db<DefinitionRow>(TABLE).orderBy('name')) as DefinitionRow[]).map(mapRow);
  }

  async findByName(name: string): Promise<EventDefinition | undefined> {
    const row = (await this.db<DefinitionRow>(TABLE).where({ name }).first()) as DefinitionRow | undefined;
    return row && mapRow(row);
  }

  async findByNames(names: string[]): Promise<Map<string, EventDefinition>> {
    if (!names.length) return new Map();
    const rows = (await this.db<DefinitionRow>(TABLE).whereIn('name', names)) as DefinitionRow[];
    return new Map(rows.map((r) => [r.name, mapRow(r)]));
  }

  async create(d: { name: string; description?: string; enabled?: boolean; isStandard?: boolean }): Promise<EventDefinition> {
    const now = Date.now();
    const [id] = await this.db(TABLE).insert({
      name: d.name,
      description: d.description ?? '',
      enabled: d.enabled ?? true,
      is_standard: d.isStandard ?? false,
      created_at: now,
      updated_at: now,
    });
    return mapRow((await this.db<DefinitionRow>(TABLE).where({ id: Number(id) }).first()) as DefinitionRow);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.db(TABLE).where({ name }).update({ enabled, updated_at: Date.now() });
  }

  // ---- Dashboard (admin REST) ----

  async findById(id: number): Promise<EventDefinition | undefined> {
    const row = (await this.db<DefinitionRow>(TABLE).where({ id }).first()) as DefinitionRow | undefined;
    return row && mapRow(row);
  }

  /** One page of definitions; the sort field must be in DEFINITION_SORTABLE, filter values are bound. */
  async listPage(query: DefinitionListQuery): Promise<{ rows: EventDefinition[]; total: number }> {
    const column = DEFINITION_SORTABLE[query.sort.field];
    if (!column) throw new Error(`event-definitions: sort field ${query.sort.field} is not allow-listed`);
    const f = query.filter;
    const base = () => {
      const q = this.db<DefinitionRow>(TABLE);
      if (f.id) q.whereIn('id', f.id);
      if (f.name !== undefined) q.where('name', f.name);
      if (f.q) q.whereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [`%${f.q.toLowerCase().replace(/[!%_]/g, '!$&')}%`]);
      if (f.enabled !== undefined) q.where('enabled', f.enabled);
      if (f.is_standard !== undefined) q.where('is_standard', f.is_standard);
      return q;
    };
    const [rows, count] = await Promise.all([
      base().select('*').orderBy([{ column, order: query.sort.order }, { column: 'id', order: query.sort.order }]).offset(query.range.start).limit(query.range.end - query.range.start + 1),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: (rows as DefinitionRow[]).map(mapRow), total: Number((count as { n: number | string } | undefined)?.n ?? 0) };
  }

  async update(id: number, patch: { name?: string; description?: string; enabled?: boolean }): Promise<EventDefinition | undefined> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    await this.db(TABLE).where({ id }).update(row);
    return this.findById(id);
  }

  /** Deletes a custom definition; standard ones are never deleted. */
  async deleteCustom(id: number): Promise<boolean> {
    return (await this.db(TABLE).where({ id, is_standard: false }).delete()) > 0;
  }
}
