import type { Logger } from '../shared/logger';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { isDuplicateKeyError } from '../shared/db';
import type { ListQuery, Page } from '../admin/list-query';
import type { SessionRepository } from '../auth/session-repository';
import { hashPassword } from './password';
import type { Role, User, UserFilter, UserRepository } from './repository';

export interface UserPatch {
  email?: string;
  password?: string;
  role?: Role;
  disabled?: boolean;
}

/** Dashboard users: admins manage them; nobody can lock the team out by removing the last admin. */
export class UserService {
  private readonly log: Logger;
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'users' });
  }

  list(query: ListQuery<UserFilter>): Promise<Page<User>> {
    return this.users.list(query);
  }

  async get(id: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError(`No user #${id}`);
    return user;
  }

  async create(input: { email: string; password: string; role: Role }, actor?: User): Promise<User> {
    try {
      const user = await this.users.create({ email: input.email, passwordHash: await hashPassword(input.password), role: input.role });
      this.log.info({ userId: user.id, role: user.role, by: actor?.id }, 'user created');
      return user;
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError('A user with this email already exists', { email: 'is already used by another user' });
      throw err;
    }
  }

  async update(id: number, patch: UserPatch, actor: User): Promise<User> {
    const current = await this.get(id);
    const demoted = patch.role !== undefined && patch.role !== 'admin' && current.role === 'admin';
    const disabling = patch.disabled === true && !current.disabled;
    if (id === actor.id && demoted) throw new ValidationError('You cannot change your own role', { role: 'cannot be changed on your own account' });
    if (id === actor.id && disabling) throw new ValidationError('You cannot disable your own account', { disabled: 'cannot be set on your own account' });
    if ((demoted || disabling) && current.role === 'admin' && !current.disabled && (await this.users.countActiveAdmins(id)) === 0) {
      throw new ConflictError('This is the last active admin; make another user admin first', { [demoted ? 'role' : 'disabled']: 'the last active admin must stay an enabled admin' });
    }
    let updated: User | undefined;
    try {
      updated = await this.users.update(id, {
        email: patch.email,
        role: patch.role,
        disabled: patch.disabled,
        passwordHash: patch.password === undefined ? undefined : await hashPassword(patch.password),
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError('A user with this email already exists', { email: 'is already used by another user' });
      throw err;
    }
    if (!updated) throw new NotFoundError(`No user #${id}`);
    // A disabled user is signed out everywhere; a new password signs out every other browser.
    if (disabling) await this.sessions.deleteForUser(id);
    else if (patch.password !== undefined) await this.sessions.deleteForUser(id);
    this.log.info({ userId: id, by: actor.id, changed: Object.keys(patch).filter((k) => k !== 'password').concat(patch.password !== undefined ? ['password'] : []) }, 'user updated');
    return updated;
  }

  /**
   * Start-up bootstrap (ADMIN_EMAIL + ADMIN_PASSWORD): creates that admin when no user has the
   * email. An existing user is left as it is, so the dashboard stays the place to change it.
   */
  async ensureAdmin(email: string, password: string): Promise<'created' | 'exists'> {
    if (await this.users.findByEmail(email)) return 'exists';
    try {
      const user = await this.users.create({ email, passwordHash: await hashPassword(password), role: 'admin' });
      this.log.info({ userId: user.id }, 'first admin created from ADMIN_EMAIL');
      return 'created';
    } catch (err) {
      if (isDuplicateKeyError(err)) return 'exists'; // another process created it meanwhile
      throw err;
    }
  }

  /** `npm run admin:create`: creates an admin, or with `reset` makes an existing user an enabled admin with this password. */
  async createAdmin(email: string, password: string, reset: boolean): Promise<{ user: User; action: 'created' | 'reset' }> {
    const existing = await this.users.findByEmail(email);
    if (!existing) return { user: await this.create({ email, password, role: 'admin' }), action: 'created' };
    if (!reset) throw new ConflictError(`A user with this email already exists (#${existing.id}); pass --reset to make it an enabled admin with the new password`);
    const user = (await this.users.update(existing.id, { passwordHash: await hashPassword(password), role: 'admin', disabled: false }))!;
    await this.sessions.deleteForUser(existing.id);
    return { user, action: 'reset' };
  }
}
