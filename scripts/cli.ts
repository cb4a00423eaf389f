import { ConfigError, loadConfig, type Config } from '../server/src/config/config';
import { createDb, migrateLatest, type Db } from '../server/src/shared/db';

/** Shared plumbing for the ops command lines: config, database, clear failure and exit codes. */
export async function runCli(usage: string, fn: (ctx: { config: Config; db: Db; args: string[] }) => Promise<void>): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    return;
  }
  let db: Db | undefined;
  try {
    const config = loadConfig();
    db = createDb(config.databaseUrl);
    await fn({ config, db, args });
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof CliError ? err.message : `Failed: ${(err as Error).message}`}\n`);
    process.exitCode = 1;
  } finally {
    await db?.destroy();
  }
}

export class CliError extends Error {}

/** `--name value` / `--name=value`. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

export { migrateLatest };
