import type { Knex } from 'knex';
import { STANDARD_EVENTS } from '../standard-events';

/** Inserts the standard events that are missing; returns their names. Safe to run any number of times. */
export async function seedStandardEvents(knex: Knex): Promise<string[]> {
  const now = Date.now();
  const existing = new Set((await knex('event_definitions').pluck('name')) as string[]);
  const missing = STANDARD_EVENTS.filter((e) => !existing.has(e.name));
  if (missing.length) {
    await knex('event_definitions').insert(missing.map((e) => ({ name: e.name, description: e.description, is_standard: true, enabled: true, created_at: now, updated_at: now })));
  }
  return missing.map((e) => e.name);
}

/** Knex CLI seed entry point (`knex seed:run`). */
export async function seed(knex: Knex): Promise<void> {
  await seedStandardEvents(knex);
}
