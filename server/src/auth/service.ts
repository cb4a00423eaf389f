import crypto from 'node:crypto';
import type { Logger } from '../shared/logger';
import { AppError } from '../shared/errors';
import { sha256 } from '../shared/crypto';
import type { User, UserRepository } from '../users/repository';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '../users/password';
import type { SessionRepository } from './session-repository';

export interface AuthOptions {
  /** A session ends after this long without a request… */
  idleMs: number;
  /** …and at the latest this long after sign-in. */
  maxMs: number;
  now?: () => number;
}

export interface SignedIn {
  user: User;
  /** The cookie value; only its SHA-256 is stored. */
  token: string;
  expiresAt: number;
}

/** Activity extends a session at most this often, so reads do not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Email + password sign-in with server-side sessions. The cookie carries a random 256-bit token;
 * the database keeps its SHA-256 (a leaked table does not sign anyone in). Each request looks the
 * session and its user up again, so sign-out, disabling a user or a role change take effect at once.
 */
export class AuthService {
  private readonly now: () => number;
  private readonly log: Logger;
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    logger: Logger,
    private readonly opts: AuthOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.log = logger.child({ component: 'auth' });
  }

  async login(email: string, password: string): Promise<SignedIn> {
    const found = await this.users.findCredentials(email.trim());
    // Unknown emails cost the same argon2 verification, so timing does not tell which exist.
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyHash()), password);
    if (!found || !ok) {
      this.log.info({ userId: found?.user.id }, 'sign-in refused: wrong email or password');
      throw new AppError(401, 'invalid_credentials', 'The email or password is incorrect');
    }
    const { user } = found;
    if (user.disabled) {
      this.log.info({ userId: user.id }, 'sign-in refused: user disabled');
      throw new AppError(403, 'account_disabled', 'This account is disabled; ask an admin to enable it');
    }
    if (needsRehash(found.passwordHash)) await this.users.update(user.id, { passwordHash: await hashPassword(password) });

    const now = this.now();
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = now + Math.min(this.opts.idleMs, this.opts.maxMs);
    await this.sessions.deleteExpired(now);
    await this.sessions.create({ id: sha256(token), userId: user.id, createdAt: now, lastSeenAt: now, expiresAt });
    await this.users.touchLogin(user.id, now);
    this.log.info({ userId: user.id, role: user.role }, 'signed in');
    return { user: { ...user, lastLoginAt: now }, token, expiresAt };
  }

  /** The signed-in user of a cookie token, or undefined (unknown, expired, or user disabled). */
  async resolve(token: string | undefined): Promise<{ user: User; sessionId: string; expiresAt: number } | undefined> {
    if (!token || token.length > 100) return undefined;
    const id = sha256(token);
    const session = await this.sessions.find(id);
    if (!session) return undefined;
    const now = this.now();
    const hardEnd = session.createdAt + this.opts.maxMs;
    if (session.expiresAt <= now || hardEnd <= now) {
      await this.sessions.delete(id);
      return undefined;
    }
    const user = await this.users.findById(session.userId);
    if (!user || user.disabled) {
      await this.sessions.delete(id);
      return undefined;
    }
    let expiresAt = session.expiresAt;
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      expiresAt = Math.min(now + this.opts.idleMs, hardEnd);
      await this.sessions.touch(id, now, expiresAt);
    }
    return { user, sessionId: id, expiresAt };
  }

  async logout(token: string | undefined): Promise<void> {
    if (!token || token.length > 100) return;
    await this.sessions.delete(sha256(token));
  }
}
