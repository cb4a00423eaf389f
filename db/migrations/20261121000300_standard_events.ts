import type { Knex } from 'knex';
import { seedStandardEvents } from '../seeds/standard-events';

/** Every Meta standard event exists from the first start, enabled. */
export async function up(knex: Knex): Promise<void> {
  await seedStandardEvents(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex('event_definitions').where({ is_standard: true }).delete();
}
