import type { Db } from '../shared/db';

export interface Session {
  /** SHA-256 hex of the cookie token. */
  id: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

interface SessionRow {
  id: string;
  user_id: number;
  created_at: number | string;
  last_seen_at: number | string;
  expires_at: number | string;
}

const TABLE = 'sessions';

function mapRow(r: SessionRow): Session {
  return { id: r.id, userId: Number(r.user_id), createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at) };
}

/** Server-side sessions: a row per signed-in browser, keyed by the hash of its cookie token. */
export class SessionRepository {
  constructor(private readonly db: Db) {}

  async create(s: Session): Promise<void> {
    await this.db(TABLE).insert({ id: s.id, user_id: s.userId, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt });
  }

  async find(id: string): Promise<Session | undefined> {
    const row = (await this.db<SessionRow>(TABLE).where({ id }).first()) as SessionRow | undefined;
    return row && mapRow(row);
  }

  async touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db(TABLE).where({ id }).update({ last_seen_at: lastSeenAt, expires_at: expiresAt });
  }

  async delete(id: string): Promise<void> {
    await this.db(TABLE).where({ id }).delete();
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    const q = this.db(TABLE).where({ user_id: userId });
    if (exceptId) q.whereNot({ id: exceptId });
    return q.delete();
  }

  async deleteExpired(now: number): Promise<number> {
    return this.db(TABLE).where('expires_at', '<=', now).delete();
  }
}
