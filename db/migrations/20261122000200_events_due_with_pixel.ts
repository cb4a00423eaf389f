import type { Knex } from 'knex';

/**
 * `events_due` becomes (status, next_attempt_at, pixel_id). Claims skip a paused pixel's rows
 * and the sweep parks / un-parks a paused pixel's waiting events (EventRepository.parkPaused);
 * with pixel_id in the index both are decided from the index alone, without reading each row.
 * pixel_id never changes, so delivery writes no more index entries than before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['status', 'next_attempt_at'], 'events_due');
  });
  await knex.schema.alterTable('events', (t) => {
    t.index(['status', 'next_attempt_at', 'pixel_id'], 'events_due');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['status', 'next_attempt_at', 'pixel_id'], 'events_due');
  });
  await knex.schema.alterTable('events', (t) => {
    t.index(['status', 'next_attempt_at'], 'events_due');
  });
}
