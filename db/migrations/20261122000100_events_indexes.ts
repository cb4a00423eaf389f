import type { Knex } from 'knex';

/**
 * `events_created` (created_at) is a prefix of `events_created_status_name` (created_at, status,
 * event_name), which serves every query it served. Each index on `events` is written by every
 * accepted event, so the redundant one only cost intake and delivery time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['created_at'], 'events_created');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.index(['created_at'], 'events_created');
  });
}
