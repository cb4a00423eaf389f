import request from 'supertest';
import { ADMIN_TEST_PASSWORD, startBus, type Bus } from '../helpers/harness';
import { sha256 } from '../../server/src/shared/crypto';

const LOGIN = '/admin/api/auth/login';
const XHR = { 'X-Requested-With': 'XMLHttpRequest' };

function sessionCookie(res: request.Response): string {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []);
  const c = cookies.find((x) => x.startsWith('mcb_session='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return c;
}
const cookieValue = (setCookie: string) => setCookie.split(';')[0]!;

describe('dashboard sign-in, sessions and CSRF (mysql)', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus('mysql', { env: { TRUST_PROXY: 'loopback' } });
    await bus.c.admin.users.create({ email: 'Ada@Example.com', password: ADMIN_TEST_PASSWORD, role: 'admin' });
    await bus.c.admin.users.create({ email: 'vic@example.com', password: ADMIN_TEST_PASSWORD, role: 'viewer' });
  });
  afterAll(async () => bus.stop());

  it('signs in with email and password, sets an httpOnly SameSite=Lax cookie for /admin, and /me answers the user', async () => {
    const res = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200);
    expect(res.body).toEqual({ id: expect.any(Number), email: 'ada@example.com', role: 'admin', disabled: false, created_at: expect.any(Number), updated_at: expect.any(Number), last_login_at: expect.any(Number) });
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/admin/i);
    expect(cookie).not.toMatch(/; Secure/i);
    expect(res.headers['cache-control']).toBe('no-store');

    const me = await bus.http.get('/admin/api/auth/me').set('Cookie', cookieValue(cookie)).expect(200);
    expect(me.body).toMatchObject({ email: 'ada@example.com', role: 'admin' });
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const res = await bus.http.post(LOGIN).set(XHR).set('X-Forwarded-Proto', 'https').send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200);
    expect(sessionCookie(res)).toMatch(/; Secure/i);
  });

  it('stores only the SHA-256 of the session token, and an argon2id hash of the password', async () => {
    const res = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200);
    const token = cookieValue(sessionCookie(res)).split('=')[1]!;
    const rows = (await bus.testDb.db('sessions').select('id')) as Array<{ id: string }>;
    expect(rows.map((r) => r.id)).toContain(sha256(decodeURIComponent(token)));
    expect(rows.map((r) => r.id)).not.toContain(decodeURIComponent(token));
    const user = await bus.testDb.db('users').where({ email: 'ada@example.com' }).first();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(bus.logs()).not.toContain(ADMIN_TEST_PASSWORD);
    expect(bus.logs()).not.toContain(decodeURIComponent(token));
  });

  it('refuses a wrong password or an unknown email with the same 401', async () => {
    const wrong = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: 'not the password' }).expect(401);
    const unknown = await bus.http.post(LOGIN).set(XHR).send({ email: 'nobody@example.com', password: 'not the password' }).expect(401);
    expect(wrong.body).toEqual({ code: 'invalid_credentials', message: 'The email or password is incorrect' });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('names the missing field when the login body is incomplete', async () => {
    const res = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com' }).expect(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: { password: 'is required' } });
  });

  it('answers 401 to /me without a session or with a made-up cookie', async () => {
    await bus.http.get('/admin/api/auth/me').expect(401);
    const res = await bus.http.get('/admin/api/auth/me').set('Cookie', 'mcb_session=forged').expect(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('signs out: the session is deleted server-side, so the old cookie no longer works', async () => {
    const agent = await bus.login('admin', 'ada@example.com');
    await agent.get('/admin/api/auth/me').expect(200);
    const before = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200);
    const stolen = cookieValue(sessionCookie(before));
    await bus.http.get('/admin/api/auth/me').set('Cookie', stolen).expect(200);

    const out = await bus.http.post('/admin/api/auth/logout').set(XHR).set('Cookie', stolen).expect(204);
    expect(sessionCookie(out)).toMatch(/mcb_session=;.*Expires=Thu, 01 Jan 1970/i);
    await bus.http.get('/admin/api/auth/me').set('Cookie', stolen).expect(401);
    await agent.get('/admin/api/auth/me').expect(200); // other sessions are unaffected
  });

  it('refuses state-changing requests without the CSRF header, even with a valid session', async () => {
    const res = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200);
    const cookie = cookieValue(sessionCookie(res));
    // What a cross-site form post would look like: cookie (if SameSite let it through), no custom header.
    const forged = await bus.http.post('/admin/api/api-keys').set('Cookie', cookie).type('form').send('name=evil').expect(403);
    expect(forged.body).toMatchObject({ code: 'csrf_failed', errors: { 'X-Requested-With': 'must be XMLHttpRequest' } });
    await bus.http.put('/admin/api/settings/1').set('Cookie', cookie).send({ batch_size: 10 }).expect(403);
    await bus.http.post('/admin/api/auth/logout').set('Cookie', cookie).expect(403);
    await bus.http.post(LOGIN).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(403);
    expect(await bus.testDb.db('api_keys').where({ name: 'evil' }).first()).toBeUndefined();

    await bus.http.post('/admin/api/api-keys').set('Cookie', cookie).set(XHR).send({ name: 'legit' }).expect(201);
    // Reads need no header.
    await bus.http.get('/admin/api/api-keys').set('Cookie', cookie).expect(200);
  });

  it('a disabled user cannot sign in, and their open sessions end at once', async () => {
    const admin = await bus.login('admin', 'ada@example.com');
    const viewer = await bus.login('viewer', 'vic@example.com');
    await viewer.get('/admin/api/auth/me').expect(200);
    const vic = (await admin.get('/admin/api/users').query({ filter: JSON.stringify({ email: 'vic@example.com' }) }).expect(200)).body[0];
    await admin.put(`/admin/api/users/${vic.id}`).send({ disabled: true }).expect(200);
    await viewer.get('/admin/api/auth/me').expect(401);
    const res = await bus.http.post(LOGIN).set(XHR).send({ email: 'vic@example.com', password: ADMIN_TEST_PASSWORD }).expect(403);
    expect(res.body.code).toBe('account_disabled');
    await admin.put(`/admin/api/users/${vic.id}`).send({ disabled: false }).expect(200);
  });

  it('a role change applies to the next request of an open session', async () => {
    const admin = await bus.login('admin', 'ada@example.com');
    const viewer = await bus.login('viewer', 'vic@example.com');
    await viewer.post('/admin/api/api-keys').send({ name: 'nope' }).expect(403);
    const vic = (await admin.get('/admin/api/users').query({ filter: JSON.stringify({ email: 'vic@example.com' }) })).body[0];
    await admin.put(`/admin/api/users/${vic.id}`).send({ role: 'admin' }).expect(200);
    await viewer.post('/admin/api/api-keys').send({ name: 'now-allowed' }).expect(201);
    await admin.put(`/admin/api/users/${vic.id}`).send({ role: 'viewer' }).expect(200);
    await viewer.post('/admin/api/api-keys').send({ name: 'nope-again' }).expect(403);
  });

  it('bootstraps the first admin from ADMIN_EMAIL / ADMIN_PASSWORD once, leaving an existing user alone', async () => {
    expect(await bus.c.admin.users.ensureAdmin('first@example.com', 'a-long-bootstrap-password')).toBe('created');
    expect(await bus.c.admin.users.ensureAdmin('first@example.com', 'another-password-entirely')).toBe('exists');
    await bus.http.post(LOGIN).set(XHR).send({ email: 'first@example.com', password: 'a-long-bootstrap-password' }).expect(200);
    await bus.http.post(LOGIN).set(XHR).send({ email: 'first@example.com', password: 'another-password-entirely' }).expect(401);
  });
});

describe('sign-in rate limit (mysql)', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus('mysql', { env: { LOGIN_RATE_LIMIT: '3' } });
    await bus.c.admin.users.create({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD, role: 'admin' });
  });
  afterAll(async () => bus.stop());

  it('answers 429 after too many failed attempts from one address, even with the right password', async () => {
    await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(200); // successes are not counted
    for (let i = 0; i < 3; i++) await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: `guess-${i}-xxxxxx` }).expect(401);
    const limited = await bus.http.post(LOGIN).set(XHR).send({ email: 'ada@example.com', password: ADMIN_TEST_PASSWORD }).expect(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/too many failed sign-in attempts/i) });
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
