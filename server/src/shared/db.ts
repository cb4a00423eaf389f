import path from 'node:path';
import fs from 'node:fs';
import knex, { type Knex } from 'knex';

export type Db = Knex;
export type Dialect = 'mysql' | 'sqlite';

/** Where migrations and seeds live; one set serves MySQL and SQLite. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../db/migrations');
export const SEEDS_DIR = path.resolve(__dirname, '../../../db/seeds');

/**
 * Builds the Knex config for a DATABASE_URL: `mysql://…` (MySQL/MariaDB) or a SQLite file
 * (`sqlite:./data/bus.sqlite`, `file:…`, or a bare path). `:memory:` is allowed for tests.
 */
export function knexConfig(databaseUrl: string): Knex.Config {
  if (/^mysql2?:\/\//.test(databaseUrl)) {
    return {
      client: 'mysql2',
      connection: {
        uri: databaseUrl.replace(/^mysql2:/, 'mysql:'),
        charset: 'utf8mb4',
        supportBigNumbers: true,
        bigNumberStrings: false,
        timezone: 'Z',
        // Intake's prepared INSERTs (one per group size), per connection, least recently used
        // closed first: 20 connections × 64 stay far below MySQL's max_prepared_stmt_count (16 382
        // for the whole server) even with several API processes.
        maxPreparedStatements: 64,
      } as Knex.MySql2ConnectionConfig & { uri: string; maxPreparedStatements: number },
      pool: { min: 0, max: 20 },
      migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] },
    };
  }
  const filename = databaseUrl.replace(/^(sqlite3?|file):(\/\/)?/, '');
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] },
  };
}

export function createDb(databaseUrl: string): Db {
  return knex(knexConfig(databaseUrl));
}

export function dialectOf(db: Db): Dialect {
  const client = String(db.client.config.client);
  return client.startsWith('mysql') ? 'mysql' : 'sqlite';
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] });
}

/** True when the error is a unique-key violation on MySQL/MariaDB or SQLite. */
export function isDuplicateKeyError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
