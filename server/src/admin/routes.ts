import express, { type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Route } from '../http/routes';
import { requireCsrfHeader } from '../auth/guards';
import { authRouter } from '../auth/router';
import { usersRouter } from '../users/router';
import { statsRouter } from '../stats/router';
import { apiKeysRouter } from './api-keys';
import { definitionsRouter } from './definitions';
import { eventsRouter } from './events';
import { pixelsRouter } from './pixels';
import { settingsRouter } from './settings';
import type { AdminServices } from './index';

export const ADMIN_API = '/admin/api';
/** Failed sign-ins are counted per client IP over this window. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

/** Admin answers are per user and change constantly: never cached. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * Every dashboard endpoint, one line each, with its guard. `viewer` = any signed-in user
 * (reads), `admin` = signed-in admin (every write). The guards run before the handlers, and
 * for viewer/admin include the CSRF header check on state-changing methods (see app.ts).
 */
export function adminRoutes(s: AdminServices): Route[] {
  const json = express.json({ limit: '1mb' });
  const loginLimiter = rateLimit({
    windowMs: LOGIN_WINDOW_MS,
    limit: s.options.loginRateLimit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: { code: 'rate_limited', message: 'Too many failed sign-in attempts from this address; wait 15 minutes and try again', errors: { email: 'too many failed attempts; try again later' } },
  });
  const auth = authRouter(s.auth, { sessionMaxMs: s.options.sessionMaxMs });
  const events = eventsRouter(s.events, s.retry);
  const definitions = definitionsRouter(s.definitions);
  const pixels = pixelsRouter(s.pixels);
  const apiKeys = apiKeysRouter(s.apiKeys);
  const users = usersRouter(s.users);
  const settings = settingsRouter(s.settings);
  const stats = statsRouter(s.stats);
  const a = (path: string) => `${ADMIN_API}/${path}`;

  return [
    { method: 'post', path: a('auth/login'), guard: 'public', handlers: [noStore, loginLimiter, requireCsrfHeader, json, auth.login] },
    { method: 'post', path: a('auth/logout'), guard: 'public', handlers: [noStore, requireCsrfHeader, auth.logout] },
    { method: 'get', path: a('auth/me'), guard: 'viewer', handlers: [noStore, auth.me] },

    { method: 'get', path: a('stats'), guard: 'viewer', handlers: [noStore, stats.dashboard] },

    { method: 'get', path: a('events'), guard: 'viewer', handlers: [noStore, events.list] },
    { method: 'post', path: a('events/retry'), guard: 'admin', handlers: [noStore, json, events.retryIds] },
    { method: 'post', path: a('events/retry-matching'), guard: 'admin', handlers: [noStore, json, events.retryMatching] },
    { method: 'get', path: a('events/:id'), guard: 'viewer', handlers: [noStore, events.get] },
    { method: 'get', path: a('retry-runs'), guard: 'viewer', handlers: [noStore, events.listRuns] },
    { method: 'get', path: a('retry-runs/:id'), guard: 'viewer', handlers: [noStore, events.getRun] },

    { method: 'get', path: a('event-definitions'), guard: 'viewer', handlers: [noStore, definitions.list] },
    { method: 'post', path: a('event-definitions'), guard: 'admin', handlers: [noStore, json, definitions.create] },
    { method: 'get', path: a('event-definitions/:id'), guard: 'viewer', handlers: [noStore, definitions.get] },
    { method: 'put', path: a('event-definitions/:id'), guard: 'admin', handlers: [noStore, json, definitions.update] },
    { method: 'delete', path: a('event-definitions/:id'), guard: 'admin', handlers: [noStore, definitions.remove] },

    { method: 'get', path: a('pixels'), guard: 'viewer', handlers: [noStore, pixels.list] },
    { method: 'post', path: a('pixels'), guard: 'admin', handlers: [noStore, json, pixels.create] },
    { method: 'get', path: a('pixels/:id'), guard: 'viewer', handlers: [noStore, pixels.get] },
    { method: 'put', path: a('pixels/:id'), guard: 'admin', handlers: [noStore, json, pixels.update] },
    { method: 'post', path: a('pixels/:id/test-event'), guard: 'admin', handlers: [noStore, pixels.testEvent] },

    { method: 'get', path: a('api-keys'), guard: 'viewer', handlers: [noStore, apiKeys.list] },
    { method: 'post', path: a('api-keys'), guard: 'admin', handlers: [noStore, json, apiKeys.create] },
    { method: 'get', path: a('api-keys/:id'), guard: 'viewer', handlers: [noStore, apiKeys.get] },
    { method: 'delete', path: a('api-keys/:id'), guard: 'admin', handlers: [noStore, apiKeys.revoke] },

    { method: 'get', path: a('users'), guard: 'admin', handlers: [noStore, users.list] },
    { method: 'post', path: a('users'), guard: 'admin', handlers: [noStore, json, users.create] },
    { method: 'get', path: a('users/:id'), guard: 'admin', handlers: [noStore, users.get] },
    { method: 'put', path: a('users/:id'), guard: 'admin', handlers: [noStore, json, users.update] },

    { method: 'get', path: a('settings'), guard: 'viewer', handlers: [noStore, settings.list] },
    { method: 'get', path: a('settings/:id'), guard: 'viewer', handlers: [noStore, settings.get] },
    { method: 'put', path: a('settings/:id'), guard: 'admin', handlers: [noStore, json, settings.update] },
  ];
}
