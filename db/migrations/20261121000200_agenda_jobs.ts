import type { Knex } from 'knex';

/**
 * Agenda's job store when no MONGO_URL is set (see server/src/worker/knex-agenda-backend.ts).
 * Timestamps are BIGINT epoch milliseconds; `data` is JSON text. On MySQL the name and data
 * columns use a binary collation so job names and unique() keys compare case-sensitively,
 * as they do in MongoDB.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('agenda_jobs')) return;
  const mysql = String(knex.client.config.client).startsWith('mysql');
  const binary = <T extends Knex.ColumnBuilder>(col: T): T => (mysql ? (col.collate('utf8mb4_bin') as T) : col);

  await knex.schema.createTable('agenda_jobs', (t) => {
    t.string('id', 36).primary(); // UUID
    binary(t.string('name', 191).notNullable());
    t.string('type', 16).notNullable().defaultTo('normal'); // normal | single
    t.integer('priority').notNullable().defaultTo(0);
    binary(t.text('data', 'mediumtext').nullable()); // JSON
    t.bigInteger('next_run_at').nullable();
    t.bigInteger('locked_at').nullable();
    t.bigInteger('last_run_at').nullable();
    t.bigInteger('last_finished_at').nullable();
    t.bigInteger('failed_at').nullable();
    t.integer('fail_count').nullable();
    t.text('fail_reason').nullable();
    t.string('repeat_interval', 255).nullable(); // human interval, cron, or milliseconds
    t.string('repeat_timezone', 64).nullable();
    t.string('repeat_at', 255).nullable();
    t.bigInteger('start_date').nullable();
    t.bigInteger('end_date').nullable();
    t.string('skip_days', 64).nullable(); // JSON array of weekday numbers
    t.boolean('disabled').notNullable().defaultTo(false);
    t.double('progress').nullable();
    t.boolean('fork').nullable();
    t.bigInteger('debounce_started_at').nullable();
    t.string('last_modified_by', 191).nullable();
    // getNextJobToRun: due jobs of one name in (next_run_at, priority) order, and expired locks.
    t.index(['name', 'next_run_at', 'priority'], 'agenda_jobs_due');
    t.index(['name', 'locked_at'], 'agenda_jobs_locked');
    t.index(['next_run_at'], 'agenda_jobs_next_run_at'); // getQueueSize
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('agenda_jobs');
}
