import type { Knex } from 'knex';

/**
 * Dashboard tables: users and their server-side sessions, admin retry runs ("retry all matching
 * this filter"), and one read-side index on `events` for the dashboard and definition counts
 * (lookups by event_id already use the event_id-first dedup key).
 * Timestamps are BIGINT epoch ms; indexed strings ≤ 191 characters. Re-running is a no-op.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('users'))) {
    await knex.schema.createTable('users', (t) => {
      t.increments('id').primary();
      t.string('email', 191).notNullable().unique(); // stored lower-cased
      t.string('password_hash', 255).notNullable(); // argon2id PHC string
      t.string('role', 16).notNullable(); // admin | viewer
      t.boolean('disabled').notNullable().defaultTo(false);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('last_login_at').nullable();
    });
  }

  if (!(await knex.schema.hasTable('sessions'))) {
    await knex.schema.createTable('sessions', (t) => {
      t.string('id', 64).primary(); // SHA-256 hex of the cookie token; the token itself is never stored
      t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('last_seen_at').notNullable();
      t.bigInteger('expires_at').notNullable();
      t.index(['user_id'], 'sessions_user');
      t.index(['expires_at'], 'sessions_expires');
    });
  }

  if (!(await knex.schema.hasTable('retry_runs'))) {
    await knex.schema.createTable('retry_runs', (t) => {
      t.increments('id').primary();
      t.text('filter').notNullable(); // JSON, the validated events filter
      t.string('filter_key', 64).notNullable(); // SHA-256 of the canonical filter: one active run per filter
      t.string('status', 16).notNullable(); // pending | running | done | failed
      t.bigInteger('max_event_id').notNullable(); // events created after the request are not part of the run
      t.bigInteger('cursor_id').notNullable().defaultTo(0); // last event id processed
      t.integer('total').notNullable(); // matching events when the run was requested
      t.integer('processed').notNullable().defaultTo(0);
      t.integer('requeued').notNullable().defaultTo(0);
      t.string('error', 1000).nullable();
      t.integer('created_by').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('finished_at').nullable();
      t.index(['filter_key', 'status'], 'retry_runs_filter');
    });
  }

  // Counts by time range, status and event name (dashboard series, definition counts) read the index alone.
  const indexes = await existingEventIndexes(knex);
  if (!indexes.has('events_created_status_name')) {
    await knex.schema.alterTable('events', (t) => t.index(['created_at', 'status', 'event_name'], 'events_created_status_name'));
  }
}

async function existingEventIndexes(knex: Knex): Promise<Set<string>> {
  if (String(knex.client.config.client).startsWith('mysql')) {
    const [rows] = (await knex.raw('SHOW INDEX FROM events')) as [Array<{ Key_name: string }>];
    return new Set(rows.map((r) => r.Key_name));
  }
  const rows = (await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`)) as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

export async function down(knex: Knex): Promise<void> {
  const indexes = await existingEventIndexes(knex);
  if (indexes.has('events_created_status_name')) await knex.schema.alterTable('events', (t) => t.dropIndex([], 'events_created_status_name'));
  for (const table of ['retry_runs', 'sessions', 'users']) await knex.schema.dropTableIfExists(table);
}
