import { MIGRATIONS_DIR } from '../server/src/shared/db';
import { CliError, runCli } from './cli';

const USAGE = `
Usage: npm run migrate -- <latest|rollback|status>

Runs the database migrations (one set for MySQL and SQLite) against DATABASE_URL
(default: SQLite under ./data/). Run "latest" before starting API or worker processes.

  latest     apply every pending migration
  rollback   undo the last batch of migrations
  status     list applied and pending migrations (exit code 3 when some are pending)
`;

void runCli(USAGE, async ({ db, args }) => {
  const opts = { directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] };
  const command = args[0] ?? 'latest';
  if (command === 'latest') {
    const [batch, names] = (await db.migrate.latest(opts)) as [number, string[]];
    process.stdout.write(names.length ? `Batch ${batch}: applied ${names.length} migration(s):\n${names.map((n) => `  ${n}`).join('\n')}\n` : 'Already up to date.\n');
  } else if (command === 'rollback') {
    const [batch, names] = (await db.migrate.rollback(opts)) as [number, string[]];
    process.stdout.write(names.length ? `Rolled back batch ${batch}:\n${names.map((n) => `  ${n}`).join('\n')}\n` : 'Nothing to roll back.\n');
  } else if (command === 'status') {
    const [done, pending] = (await db.migrate.list(opts)) as [Array<{ name: string }>, Array<{ file: string }>];
    for (const m of done) process.stdout.write(`applied  ${m.name}\n`);
    for (const m of pending) process.stdout.write(`pending  ${m.file}\n`);
    process.stdout.write(pending.length ? `${pending.length} pending: run npm run migrate -- latest\n` : 'Up to date.\n');
    if (pending.length) process.exitCode = 3;
  } else {
    throw new CliError(`Unknown command ${command}.${USAGE}`);
  }
});
