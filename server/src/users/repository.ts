import type { Db } from '../shared/db';
import { likeEscape, type ListQuery, type Page } from '../admin/list-query';

export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  disabled: number | boolean;
  created_at: number | string;
  updated_at: number | string;
  last_login_at: number | string | null;
}

export interface UserFilter {
  id?: number | number[];
  q?: string;
  email?: string;
  role?: Role;
  disabled?: boolean;
}

const TABLE = 'users';

/** API sort field → column. */
export const USER_SORTABLE: Record<string, string> = {
  id: 'id',
  email: 'email',
  role: 'role',
  disabled: 'disabled',
  created_at: 'created_at',
  last_login_at: 'last_login_at',
};

function mapRow(r: UserRow): User {
  return {
    id: Number(r.id),
    email: r.email,
    role: r.role,
    disabled: Boolean(r.disabled),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
  };
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async findById(id: number): Promise<User | undefined> {
    const row = (await this.db<UserRow>(TABLE).where({ id }).first()) as UserRow | undefined;
    return row && mapRow(row);
  }

  /** The user and the stored password hash, for sign-in only. */
  async findCredentials(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = (await this.db<UserRow>(TABLE).where({ email: email.toLowerCase() }).first()) as UserRow | undefined;
    return row && { user: mapRow(row), passwordHash: row.password_hash };
  }

  async findByEmail(email: string): Promise<User | undefined> {
    return (await this.findCredentials(email))?.user;
  }

  async create(u: { email: string; passwordHash: string; role: Role; disabled?: boolean }): Promise<User> {
    const now = Date.now();
    const [id] = await this.db(TABLE).insert({
      email: u.email.toLowerCase(),
      password_hash: u.passwordHash,
      role: u.role,
      disabled: u.disabled ?? false,
      created_at: now,
      updated_at: now,
    });
    return (await this.findById(Number(id)))!;
  }

  async update(id: number, patch: { email?: string; passwordHash?: string; role?: Role; disabled?: boolean }): Promise<User | undefined> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.email !== undefined) row.email = patch.email.toLowerCase();
    if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
    if (patch.role !== undefined) row.role = patch.role;
    if (patch.disabled !== undefined) row.disabled = patch.disabled;
    await this.db(TABLE).where({ id }).update(row);
    return this.findById(id);
  }

  async touchLogin(id: number, at: number): Promise<void> {
    await this.db(TABLE).where({ id }).update({ last_login_at: at });
  }

  async count(): Promise<number> {
    const row = (await this.db(TABLE).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Enabled admins other than `exceptId`: the last one may not be demoted or disabled. */
  async countActiveAdmins(exceptId?: number): Promise<number> {
    let q = this.db(TABLE).where({ role: 'admin', disabled: false });
    if (exceptId !== undefined) q = q.whereNot({ id: exceptId });
    const row = (await q.count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async list(query: ListQuery<UserFilter>): Promise<Page<User>> {
    const column = USER_SORTABLE[query.sort.field];
    if (!column) throw new Error(`users: sort field ${query.sort.field} is not allow-listed`);
    const f = query.filter;
    const base = () => {
      const q = this.db<UserRow>(TABLE);
      if (f.id !== undefined) q.whereIn('id', Array.isArray(f.id) ? f.id : [f.id]);
      if (f.q) q.whereRaw(`email LIKE ? ESCAPE '!'`, [`%${likeEscape(f.q.toLowerCase())}%`]);
      if (f.email !== undefined) q.where('email', f.email.toLowerCase());
      if (f.role !== undefined) q.where('role', f.role);
      if (f.disabled !== undefined) q.where('disabled', f.disabled);
      return q;
    };
    const [rows, count] = await Promise.all([
      base().select('*').orderBy([{ column, order: query.sort.order }, { column: 'id', order: query.sort.order }]).offset(query.range.start).limit(query.range.end - query.range.start + 1),
      base().count({ n: '*' }).first(),
    ]);
    return { rows: (rows as UserRow[]).map(mapRow), total: Number((count as { n: number | string } | undefined)?.n ?? 0) };
  }
}
