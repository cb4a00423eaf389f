import { createLogger } from '../server/src/shared/logger';
import { UserRepository } from '../server/src/users/repository';
import { UserService } from '../server/src/users/service';
import { SessionRepository } from '../server/src/auth/session-repository';
import { PASSWORD_MAX, PASSWORD_MIN } from '../server/src/users/password';
import { AppError } from '../server/src/shared/errors';
import { CliError, migrateLatest, options, readSecret, runCli } from './cli';

const USAGE = `
Usage: npm run admin:create -- --email EMAIL [--password PASSWORD] [--reset]

Creates a dashboard admin (sign in at /admin/ with this email and password).
Uses DATABASE_URL like the server (default: SQLite under ./data/).

  --email EMAIL        the admin's email (sign-in name)
  --password PASSWORD  the password; better left out: it is then read from standard input
                       (typed without echo on a terminal, or piped: echo "$PW" | npm run admin:create -- --email E)
  --reset              if a user with this email exists, make it an enabled admin with this password
                       (its open sessions are signed out)

Passwords need ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.
`;

void runCli(USAGE, async ({ db, args }) => {
  const { values } = options(args, { email: { type: 'string' }, password: { type: 'string' }, reset: { type: 'boolean' } });
  const email = values.email?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 191) throw new CliError(`--email EMAIL is required and must be an email address.${USAGE}`);
  const password = values.password ?? (await readSecret('Password: ', { keepSpaces: true }));
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) throw new CliError(`The password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  await migrateLatest(db);
  const users = new UserService(new UserRepository(db), new SessionRepository(db), createLogger({ level: 'silent' }));
  try {
    const { user, action } = await users.createAdmin(email, password, values.reset === true);
    process.stdout.write(`${action === 'created' ? 'Created' : 'Reset'} admin #${user.id} ${user.email}. Sign in at /admin/.\n`);
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    throw err;
  }
});
