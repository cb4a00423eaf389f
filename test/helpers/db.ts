import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import knex from 'knex';
import { createDb, migrateLatest, type Db } from '../../server/src/shared/db';

export type TestDialect = 'mysql' | 'sqlite';
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDb {
  db: Db;
  url: string;
  dialect: TestDialect;
  drop(): Promise<void>;
}

/**
 * A freshly created and migrated database for one test file: a new MariaDB schema
 * (`mcb_t_<random>`) on the real server, or a new SQLite file in a temp folder.
 */
export async function createTestDb(dialect: TestDialect, opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const suffix = crypto.randomBytes(5).toString('hex');
  let url: string;
  let cleanup: () => Promise<void>;
  if (dialect === 'mysql') {
    const name = `mcb_t_${suffix}`;
    const admin = knex({ client: 'mysql2', connection: MYSQL_ADMIN_URL });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.destroy();
    url = MYSQL_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    cleanup = async () => {
      const a = knex({ client: 'mysql2', connection: MYSQL_ADMIN_URL });
      await a.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.destroy();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcb-'));
    url = `sqlite:${path.join(dir, 'bus.sqlite')}`;
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const db = createDb(url);
  if (opts.migrate !== false) await migrateLatest(db);
  return {
    db,
    url,
    dialect,
    async drop() {
      await db.destroy();
      await cleanup();
    },
  };
}

/** Both dialects the product ships on; integration suites run against each. */
export const DIALECTS: TestDialect[] = ['mysql', 'sqlite'];
