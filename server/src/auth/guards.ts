import type { RequestHandler, Response } from 'express';
import type { ApiKeyService } from '../api-keys/service';
import { AppError, ForbiddenError, UnauthorizedError } from '../shared/errors';
import type { Role, User } from '../users/repository';
import type { AuthService } from './service';

/** `Authorization: Bearer <key>` for backend services. */
export function requireApiKey(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('An API key is required: Authorization: Bearer <key>');
    const apiKey = await keys.verify(match[1]!);
    if (!apiKey) throw new UnauthorizedError('The API key is unknown or revoked');
    res.locals.apiKeyId = apiKey.id;
    next();
  };
}

// ---- Dashboard (admin REST) ------------------------------------------------------------

/** The session cookie: httpOnly, SameSite=Lax, Secure over HTTPS, sent only to /admin. */
export const SESSION_COOKIE = 'mcb_session';
export const SESSION_COOKIE_PATH = '/admin';

/**
 * CSRF defence for state-changing requests, beside SameSite=Lax: they must carry this header,
 * which a cross-site form cannot set and a cross-origin script cannot send without a CORS
 * preflight (which the admin API never grants).
 */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_VALUE = 'XMLHttpRequest';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in user, set by `requireSession`. */
export function currentUser(res: Response): User {
  const user = res.locals.user as User | undefined;
  if (!user) throw new UnauthorizedError('Sign in first');
  return user;
}

/** Any signed-in dashboard user (viewer or admin); 401 otherwise. */
export function requireSession(auth: AuthService): RequestHandler {
  return async (req, res, next) => {
    const resolved = await auth.resolve(req.cookies?.[SESSION_COOKIE] as string | undefined);
    if (!resolved) throw new UnauthorizedError('Sign in to the dashboard first (the session is missing or has expired)');
    res.locals.user = resolved.user;
    res.locals.sessionId = resolved.sessionId;
    next();
  };
}

/** After `requireSession`: the user must have one of the roles; 403 otherwise. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const user = currentUser(res);
    if (!roles.includes(user.role)) throw new ForbiddenError(`This needs the ${roles.join(' or ')} role; you are signed in as ${user.role}`);
    next();
  };
}

/** Refuses state-changing requests without the CSRF header (403 `csrf_failed`). */
export const requireCsrfHeader: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  if ((req.get(CSRF_HEADER) ?? '').toLowerCase() !== CSRF_VALUE.toLowerCase()) {
    throw new AppError(403, 'csrf_failed', `State-changing dashboard requests must send the header ${CSRF_HEADER}: ${CSRF_VALUE}`, { [CSRF_HEADER]: `must be ${CSRF_VALUE}` });
  }
  next();
};
