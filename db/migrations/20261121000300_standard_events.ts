import type { Knex } from 'knex';
import { STANDARD_EVENTS } from '../standard-events';

/** Every Meta standard event exists from the first start, enabled. Re-running inserts only missing ones. */
export async function up(knex: Knex): Promise<void> {
  const now = Date.now();
  const existing = new Set((await knex('event_definitions').pluck('name')) as string[]);
  const rows = STANDARD_EVENTS.filter((e) => !existing.has(e.name)).map((e) => ({
    name: e.name,
    description: e.description,
    is_standard: true,
    enabled: true,
    created_at: now,
    updated_at: now,
  }));
  if (rows.length) await knex('event_definitions').insert(rows);
}

export async function down(knex: Knex): Promise<void> {
  await knex('event_definitions').where({ is_standard: true }).delete();
}
