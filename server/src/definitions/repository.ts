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
}
