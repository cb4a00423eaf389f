import type { RequestHandler } from 'express';
import { z } from 'zod';
import { currentUser } from '../auth/guards';
import { booleanFilter, idFilter, parseListQuery, sendList, type ListSpec } from '../admin/list-query';
import { parseBody, parseId } from '../admin/http';
import type { UserRecord } from '../admin/records';
import { PASSWORD_MAX, PASSWORD_MIN } from './password';
import { ROLES, USER_SORTABLE, type User, type UserFilter } from './repository';
import type { UserService } from './service';

/** The API record of a user (never the password hash). */
export function userRecord(u: User): UserRecord {
  return { id: u.id, email: u.email, role: u.role, disabled: u.disabled, created_at: u.createdAt, updated_at: u.updatedAt, last_login_at: u.lastLoginAt };
}

const email = z.email({ error: 'must be an email address' }).max(191, 'must be at most 191 characters');
const password = z.string({ error: 'is required' }).min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

const CreateUser = z.strictObject({ email, password, role: role.default('viewer') });
/** react-admin sends the whole record back on edit: its read-only fields are accepted and ignored. */
const USER_READ_ONLY = ['id', 'created_at', 'updated_at', 'last_login_at'] as const;
const UpdateUser = z.strictObject({ email: email.optional(), password: password.optional(), role: role.optional(), disabled: z.boolean({ error: 'must be true or false' }).optional() });

const listSpec: ListSpec<UserFilter> = {
  sortable: Object.keys(USER_SORTABLE),
  defaultSort: { field: 'email', order: 'asc' },
  filter: z.strictObject({
    id: idFilter.optional(),
    q: z.string().max(191).optional(),
    email: z.string().max(191).optional(),
    role: role.optional(),
    disabled: booleanFilter.optional(),
  }),
};

export function usersRouter(users: UserService) {
  const list: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, listSpec);
    const page = await users.list(q);
    sendList(res, 'users', q.range, { rows: page.rows.map(userRecord), total: page.total });
  };
  const get: RequestHandler = async (req, res) => {
    res.json(userRecord(await users.get(parseId(req.params.id))));
  };
  const create: RequestHandler = async (req, res) => {
    const body = parseBody(req.body, CreateUser);
    res.status(201).json(userRecord(await users.create(body, currentUser(res))));
  };
  const update: RequestHandler = async (req, res) => {
    // An empty password field on the edit form means "unchanged".
    const pw = req.body && typeof req.body === 'object' ? (req.body as { password?: unknown }).password : undefined;
    const raw = pw === '' || pw === null ? { ...(req.body as object), password: undefined } : req.body;
    const body = parseBody(raw, UpdateUser, USER_READ_ONLY);
    res.json(userRecord(await users.update(parseId(req.params.id), body, currentUser(res))));
  };
  return { list, get, create, update };
}
