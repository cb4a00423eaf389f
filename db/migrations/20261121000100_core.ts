import type { Knex } from 'knex';

/**
 * Product tables. All timestamps are BIGINT epoch milliseconds (same on MySQL and SQLite);
 * indexed strings stay ≤ 191 characters for utf8mb4.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pixels', (t) => {
    t.increments('id').primary();
    t.string('dataset_id', 32).notNullable().unique();
    t.string('name', 191).notNullable();
    t.text('access_token_enc').nullable();
    t.string('access_token_last4', 8).nullable();
    t.string('test_event_code', 64).nullable();
    t.bigInteger('test_event_code_expires_at').nullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('allowed_origins').notNullable(); // JSON array of origins
    t.string('paused_reason', 500).nullable(); // set when Meta answers 190 (token invalid/expired)
    t.bigInteger('paused_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('event_definitions', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.boolean('is_standard').notNullable().defaultTo(false);
    t.string('description', 1000).notNullable().defaultTo('');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('pixel_id').unsigned().notNullable().references('id').inTable('pixels').onDelete('CASCADE');
    t.string('event_name', 100).notNullable();
    t.string('event_id', 191).notNullable();
    t.bigInteger('event_time').notNullable(); // unix seconds, as Meta
    t.string('action_source', 32).notNullable();
    t.string('source', 16).notNullable(); // browser | server
    t.text('payload', 'mediumtext').notNullable(); // normalized event, user data hashed
    t.string('status', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').nullable();
    t.bigInteger('lease_until').nullable();
    t.string('lease_owner', 64).nullable();
    t.integer('last_error_code').nullable();
    t.integer('last_error_subcode').nullable();
    t.string('last_error_message', 1000).nullable();
    t.string('fbtrace_id', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('delivered_at').nullable();
    // event_id first: intake's duplicate check and the admin's event_id search look it up directly.
    t.unique(['event_id', 'pixel_id', 'event_name'], { indexName: 'events_dedup_key' });
    t.index(['status', 'next_attempt_at'], 'events_due');
    t.index(['created_at'], 'events_created');
    t.index(['event_name', 'created_at'], 'events_name_created');
  });

  await knex.schema.createTable('delivery_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('event_row_id').unsigned().notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.bigInteger('attempted_at').notNullable();
    t.string('outcome', 20).notNullable(); // delivered | retrying | failed | not_delivered | paused
    t.integer('http_status').nullable();
    t.integer('error_code').nullable();
    t.integer('error_subcode').nullable();
    t.boolean('is_transient').nullable();
    t.string('message', 1000).nullable();
    t.string('fbtrace_id', 64).nullable();
    t.integer('duration_ms').notNullable();
    t.integer('batch_size').notNullable();
    t.index(['event_row_id'], 'attempts_event');
  });

  await knex.schema.createTable('settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable(); // JSON
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.increments('id').primary();
    t.string('name', 191).notNullable();
    t.string('prefix', 16).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.bigInteger('revoked_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['api_keys', 'settings', 'delivery_attempts', 'events', 'event_definitions', 'pixels']) {
    await knex.schema.dropTableIfExists(table);
  }
}
