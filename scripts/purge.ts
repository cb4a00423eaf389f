import { EventRepository } from '../server/src/events/repository';
import { SettingsRepository } from '../server/src/settings/repository';
import { SettingsSchema } from '../server/src/settings/schema';
import { CliError, migrateLatest, options, runCli } from './cli';

const USAGE = `
Usage: npm run purge -- [--older-than-days N] [--dry-run]

Retention: deletes finished events (delivered, failed, not_delivered, skipped, expired) received
more than N days ago, with their delivery attempts, as the worker's hourly events:purge job does.
Events still waiting for delivery (queued, sending, retrying) are never purged.
Uses DATABASE_URL like the server (default: SQLite under ./data/).

  --older-than-days N  1 to 3650; default: the retention setting (dashboard Settings, 30 days unless changed)
  --dry-run            print how many events would be deleted; change nothing
`;

void runCli(USAGE, async ({ db, args }) => {
  const { values } = options(args, { 'older-than-days': { type: 'string' }, 'dry-run': { type: 'boolean' } });
  const raw = values['older-than-days'];
  let days: number | undefined;
  if (raw !== undefined) {
    const parsed = /^\d+$/.test(raw.trim()) ? SettingsSchema.shape.retentionDays.safeParse(Number(raw)) : undefined;
    if (!parsed?.success) throw new CliError(`--older-than-days must be a whole number of days from 1 to 3650 (got "${raw.slice(0, 40)}")`);
    days = parsed.data;
  }

  await migrateLatest(db);
  const source = days === undefined ? 'the retention setting' : '--older-than-days';
  days ??= (await new SettingsRepository(db).get()).retentionDays;
  const before = Date.now() - days * 86_400_000;
  const events = new EventRepository(db);
  const what = `finished event(s) received before ${new Date(before).toISOString()} (older than ${days} days, from ${source})`;
  if (values['dry-run']) {
    process.stdout.write(`Dry run: ${await events.countFinishedBefore(before)} ${what} would be deleted with their delivery attempts. Nothing was changed.\n`);
    return;
  }
  const total = await events.purgeFinishedBefore(before);
  process.stdout.write(`Deleted ${total} ${what} with their delivery attempts.\n`);
});
