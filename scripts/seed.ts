import { seedStandardEvents } from '../db/seeds/standard-events';
import { migrateLatest, options, runCli } from './cli';

const USAGE = `
Usage: npm run seed

Makes sure every Meta standard event exists as an event definition (enabled when created).
Existing definitions, and whether they are switched on, are left as they are.
`;

void runCli(USAGE, async ({ db, args }) => {
  options(args, {}); // no options: a typo such as --dry-run must not seed for real
  await migrateLatest(db);
  const added = await seedStandardEvents(db);
  process.stdout.write(added.length ? `Added ${added.length} standard event(s): ${added.join(', ')}\n` : 'All standard events are present.\n');
});
