import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/src/config/config';
import { resolveAppSecret } from '../server/src/config/app-secret';
import { createDb, migrateLatest, type Db } from '../server/src/shared/db';
import { createLogger } from '../server/src/shared/logger';
import type { Container } from '../server/src/container';

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

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;
type OptionValues<S extends OptionSpec> = { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Strict option parsing: an unknown option, a missing value or an unexpected argument is a
 * CliError naming it, so a typo such as `--dry-rn` stops the command instead of being ignored.
 * `positionals` is how many leading arguments (a command name) are allowed.
 */
export function options<S extends OptionSpec>(args: string[], spec: S, positionals = 0): { values: OptionValues<S>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: spec, strict: true, allowPositionals: true });
    if (parsed.positionals.length > positionals) throw new CliError(`Unexpected argument "${parsed.positionals[positionals]}" (see --help)`);
    return { values: parsed.values as OptionValues<S>, positionals: parsed.positionals };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as { code?: string; message: string };
    const name = /'(--?[^' ]+)/.exec(e.message)?.[1] ?? 'an option';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new CliError(`Unknown option ${name} (see --help)`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take/.test(e.message)) throw new CliError(`${name} takes no value`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new CliError(`${name} needs a value (write ${name}=VALUE for a value starting with "-")`);
    throw new CliError(e.message.split('\n')[0]!);
  }
}

/**
 * Reads a secret without it touching argv or shell history: typed without echo on a terminal
 * (after `prompt` on stderr), or all of a piped standard input. Surrounding whitespace is trimmed, unless `keepSpaces` (passwords: only the final newline goes).
 */
export async function readSecret(prompt: string, opts: { keepSpaces?: boolean } = {}): Promise<string> {
  const finish = (v: string) => (opts.keepSpaces ? v.replace(/\r?\n$/, '') : v.trim());
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) data += String(chunk);
    return finish(data);
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(finish(value));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new CliError('Cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The server's composition root on the script's database (logs off: scripts print their own lines).
 * Imported on demand so scripts that do not need it start without loading the whole server.
 */
export async function openContainer(config: Config, db: Db): Promise<Container & { close(): Promise<void> }> {
  const { createContainer } = await import('../server/src/container');
  const c = createContainer(config, createLogger({ level: 'silent' }), { db, appSecret: resolveAppSecret(config) });
  return Object.assign(c, {
    async close() {
      await c.deliverer.stop();
      await c.admin.jobQueue.close();
      c.http.close();
    },
  });
}

export { migrateLatest };
