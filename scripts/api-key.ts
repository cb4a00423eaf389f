import { ApiKeyRepository } from '../server/src/api-keys/repository';
import { ApiKeyService } from '../server/src/api-keys/service';
import { CliError, migrateLatest, options, runCli } from './cli';

const USAGE = `
Usage: npm run api-key -- <command> [options]

Manage API keys for backend services (POST /v1/events with Authorization: Bearer <key>).
Uses DATABASE_URL like the server (default: SQLite under ./data/).

Commands:
  create --name NAME   create a key; the key is printed once, alone on the last line
  list                 list keys (name, prefix, created, last used, revoked)
  revoke --id ID       revoke a key
`;

void runCli(USAGE, async ({ db, args }) => {
  await migrateLatest(db);
  const keys = new ApiKeyService(new ApiKeyRepository(db));
  const { values, positionals } = options(args, { name: { type: 'string' }, id: { type: 'string' } }, 1);
  const command = positionals[0];
  if (command === 'create') {
    const name = values.name?.trim();
    if (!name) throw new CliError('create needs --name NAME (who will use the key, e.g. "checkout-service")');
    if (name.length > 191) throw new CliError('--name must be at most 191 characters');
    const { key, apiKey } = await keys.create(name);
    process.stdout.write(`Created API key #${apiKey.id} "${apiKey.name}" (prefix ${apiKey.prefix}). It is shown only now; store it in your service's secrets:\n${key}\n`);
  } else if (command === 'list') {
    const all = await keys.list();
    if (!all.length) process.stdout.write('No API keys yet. Create one: npm run api-key -- create --name NAME\n');
    for (const k of all) {
      const when = (t: number | null) => (t ? new Date(t).toISOString() : '-');
      process.stdout.write(`#${k.id}\t${k.prefix}…\t${k.name}\tcreated ${when(k.createdAt)}\tlast used ${when(k.lastUsedAt)}${k.revokedAt ? `\tREVOKED ${when(k.revokedAt)}` : ''}\n`);
    }
  } else if (command === 'revoke') {
    const id = Number(values.id);
    if (!Number.isInteger(id) || id <= 0) throw new CliError('revoke needs --id ID (see: npm run api-key -- list)');
    if (!(await keys.revoke(id))) throw new CliError(`No active API key #${id}`);
    process.stdout.write(`Revoked API key #${id}\n`);
  } else {
    throw new CliError(`Unknown command ${command ?? '(none)'}.${USAGE}`);
  }
});
