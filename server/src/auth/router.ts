import type { CookieOptions, Request, RequestHandler } from 'express';
import { z } from 'zod';
import { parseBody } from '../admin/http';
import { userRecord } from '../users/router';
import { currentUser, SESSION_COOKIE, SESSION_COOKIE_PATH } from './guards';
import type { AuthService } from './service';

const Login = z.strictObject({
  email: z.string({ error: 'is required' }).trim().min(1, 'is required').max(191, 'must be at most 191 characters'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'must be at most 256 characters'),
});

/** httpOnly, SameSite=Lax, Secure when the request came over HTTPS (directly or via a trusted proxy). */
function cookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: SESSION_COOKIE_PATH, ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}) };
}

export function authRouter(auth: AuthService, opts: { sessionMaxMs: number }) {
  /** `POST /admin/api/auth/login` `{ email, password }` → the user record and the session cookie. */
  const login: RequestHandler = async (req, res) => {
    const { email, password } = parseBody(req.body, Login);
    const signedIn = await auth.login(email, password);
    res.cookie(SESSION_COOKIE, signedIn.token, cookieOptions(req, opts.sessionMaxMs));
    res.json(userRecord(signedIn.user));
  };

  /** `POST /admin/api/auth/logout`: ends the server-side session (if any) and clears the cookie; always 204. */
  const logout: RequestHandler = async (req, res) => {
    await auth.logout(req.cookies?.[SESSION_COOKIE] as string | undefined);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  };

  /** `GET /admin/api/auth/me`: the signed-in user (401 when signed out). */
  const me: RequestHandler = (_req, res) => {
    res.json(userRecord(currentUser(res)));
  };

  return { login, logout, me };
}
