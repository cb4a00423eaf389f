import { HttpError, type AuthProvider } from 'react-admin';
import { API_URL, httpClient } from './api';
import { roleCanAccess, type Role } from './permissions';

/** `GET /admin/api/auth/me` and the login answer. */
export interface Me {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  last_login_at: number | null;
}

/**
 * The cookie session of the admin API. The session cookie is httpOnly: the SPA never sees it; it
 * asks `auth/me` who is signed in. The answer is cached for permission checks and refreshed on
 * every page change (checkAuth), so a role change on the server shows up at the next navigation.
 */
let me: Promise<Me> | undefined;

const fetchMe = async (): Promise<Me> => (await httpClient(`${API_URL}/auth/me`)).json as Me;

function currentUser(): Promise<Me> {
  me ??= fetchMe().catch((err: unknown) => {
    me = undefined;
    throw err;
  });
  return me;
}

export const authProvider: AuthProvider = {
  async login({ email, username, password }: { email?: string; username?: string; password: string }) {
    me = undefined;
    const { json } = await httpClient(`${API_URL}/auth/login`, { method: 'POST', body: JSON.stringify({ email: email ?? username, password }) });
    me = Promise.resolve(json as Me);
  },

  async logout() {
    me = undefined;
    // Ends the server session and clears the cookie; signing out works even when the server is gone.
    await httpClient(`${API_URL}/auth/logout`, { method: 'POST' }).catch(() => undefined);
  },

  async checkAuth() {
    const hadSession = me !== undefined;
    try {
      me = Promise.resolve(await fetchMe());
    } catch (err) {
      me = undefined;
      if (err instanceof HttpError && err.status === 401) {
        // First visit: just the sign-in page; an expired session: say why.
        throw hadSession ? new Error('Your session has ended; sign in again.') : { message: false };
      }
      throw err;
    }
  },

  /** 401 and 403 sign the user out (react-admin's simple REST convention); the reason is shown. */
  async checkError(error: unknown) {
    const status = (error as { status?: number } | undefined)?.status;
    if (status === 401) {
      me = undefined;
      throw new Error('Your session has ended; sign in again.');
    }
    if (status === 403) {
      me = undefined;
      const reason = (error as { message?: string }).message;
      throw new Error(`You were signed out: ${reason || 'this account may not do that'}. Sign in again to continue.`);
    }
  },

  async getIdentity() {
    const user = await currentUser();
    return { id: user.id, fullName: user.email };
  },

  async getPermissions() {
    return (await currentUser()).role;
  },

  async canAccess({ resource, action }) {
    const user = await currentUser().catch(() => undefined);
    return roleCanAccess(user?.role, resource, action);
  },
};
