import { DIALECTS } from '../helpers/db';
import { ACCESS_TOKEN, PIXEL_ID, startBus, websiteEvent, type AdminAgent, type Bus } from '../helpers/harness';
import { STANDARD_EVENTS } from '../../db/standard-events';

const ORIGIN = 'https://shop.example.com';
const NEW_TOKEN = 'EAAnew-secret-token-for-pixel-ZZ9Q';

describe.each(DIALECTS)('admin resources on %s', (dialect) => {
  let bus: Bus;
  let admin: AdminAgent;
  let viewer: AdminAgent;
  /** Every response body the suite saw, to prove no access token was ever returned. */
  const bodies: string[] = [];

  const intake = (data: unknown[]) => bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data, pixel_id: PIXEL_ID });
  const record = <T extends { text: string }>(res: T): T => {
    bodies.push(res.text);
    return res;
  };

  beforeAll(async () => {
    bus = await startBus(dialect, { settings: { retry: { maxAttempts: 1, baseBackoffMs: 100, maxBackoffMs: 1000 } } });
    admin = await bus.login('admin');
    viewer = await bus.login('viewer');
  });
  afterAll(async () => {
    await bus.stop();
  });

  describe('event definitions', () => {
    it('lists every standard event with its enabled state and 24 h / 7 d counts by status', async () => {
      await intake([websiteEvent({ event_name: 'Lead', event_id: 'l1' }), websiteEvent({ event_name: 'Lead', event_id: 'l2' }), websiteEvent({ event_name: 'Contact', event_id: 'c1' })]).expect(202);
      await bus.drain();
      // An 8-day-old Lead counts in neither window; a 3-day-old one only in 7 d.
      await bus.testDb.db('events').where({ event_id: 'l2' }).update({ created_at: Date.now() - 3 * 86_400_000 });
      await intake([websiteEvent({ event_name: 'Lead', event_id: 'l-old' })]).expect(202);
      await bus.testDb.db('events').where({ event_id: 'l-old' }).update({ created_at: Date.now() - 8 * 86_400_000 });

      const res = record(await viewer.get('/admin/api/event-definitions').query({ range: '[0,99]' }).expect(200));
      expect(res.headers['content-range']).toBe(`event-definitions 0-${STANDARD_EVENTS.length - 1}/${STANDARD_EVENTS.length}`);
      expect(res.body.map((d: { name: string }) => d.name)).toEqual(STANDARD_EVENTS.map((e) => e.name).sort());
      const lead = res.body.find((d: { name: string }) => d.name === 'Lead');
      expect(lead).toMatchObject({ id: expect.any(Number), is_standard: true, enabled: true, description: expect.any(String), created_at: expect.any(Number), updated_at: expect.any(Number) });
      expect(lead.counts_24h).toEqual({ total: 1, delivered: 1, queued: 0, sending: 0, retrying: 0, failed: 0, not_delivered: 0, skipped: 0, expired: 0 });
      expect(lead.counts_7d).toMatchObject({ total: 2, delivered: 2 });
      expect(res.body.find((d: { name: string }) => d.name === 'Purchase').counts_7d.total).toBe(0);
    });

    it('filters and sorts the list (allow-listed fields only)', async () => {
      const q = await viewer.get('/admin/api/event-definitions').query({ filter: JSON.stringify({ q: 'cart' }) }).expect(200);
      expect(q.body.map((d: { name: string }) => d.name)).toEqual(['AddToCart']);
      const desc = await viewer.get('/admin/api/event-definitions').query({ sort: '["name","DESC"]', range: '[0,1]' }).expect(200);
      expect(desc.body.map((d: { name: string }) => d.name)).toEqual(['ViewContent', 'Subscribe']);
      expect(desc.headers['content-range']).toBe(`event-definitions 0-1/${STANDARD_EVENTS.length}`);
      const bad = await viewer.get('/admin/api/event-definitions').query({ sort: '["counts_24h","ASC"]' }).expect(400);
      expect(bad.body.errors.sort).toMatch(/^unknown field counts_24h/);
      expect((await viewer.get('/admin/api/event-definitions').query({ filter: '{"enabled":"yes"}' }).expect(400)).body.errors).toEqual({ 'filter.enabled': 'must be true or false' });
    });

    it('disabling an event makes the next intake request answer skipped; enabling it queues again', async () => {
      const contact = (await viewer.get('/admin/api/event-definitions').query({ filter: '{"name":"Contact"}' })).body[0];
      const off = record(await admin.put(`/admin/api/event-definitions/${contact.id}`).send({ ...contact, enabled: false }).expect(200));
      expect(off.body).toMatchObject({ id: contact.id, name: 'Contact', enabled: false });
      expect((await intake([websiteEvent({ event_name: 'Contact', event_id: 'c-off' })]).expect(202)).body.data[0].status).toBe('skipped');
      await admin.put(`/admin/api/event-definitions/${contact.id}`).send({ enabled: true }).expect(200);
      expect((await intake([websiteEvent({ event_name: 'Contact', event_id: 'c-on' })]).expect(202)).body.data[0].status).toBe('queued');
    });

    it('creates, renames, describes and deletes a custom event; standard events cannot be renamed or deleted', async () => {
      const created = record(await admin.post('/admin/api/event-definitions').send({ name: 'WebinarSignup', description: 'Signed up for a webinar' }).expect(201));
      expect(created.body).toMatchObject({ id: expect.any(Number), name: 'WebinarSignup', is_standard: false, enabled: true, counts_24h: { total: 0 } });
      const dup = await admin.post('/admin/api/event-definitions').send({ name: 'WebinarSignup' }).expect(409);
      expect(dup.body.errors).toEqual({ name: 'already exists' });
      expect((await admin.post('/admin/api/event-definitions').send({ name: 'Bad<Name>' }).expect(400)).body.errors).toEqual({ name: expect.stringMatching(/letters, digits/) });
      expect((await admin.post('/admin/api/event-definitions').send({ name: 'X', colour: 1 }).expect(400)).body.errors).toEqual({ colour: 'is not a recognised field' });

      const renamed = await admin.put(`/admin/api/event-definitions/${created.body.id}`).send({ ...created.body, name: 'WebinarRegistration', description: 'Registered' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'WebinarRegistration', description: 'Registered' });

      const lead = (await viewer.get('/admin/api/event-definitions').query({ filter: '{"name":"Lead"}' })).body[0];
      const rename = await admin.put(`/admin/api/event-definitions/${lead.id}`).send({ ...lead, name: 'Leads' }).expect(400);
      expect(rename.body.errors).toEqual({ name: 'a standard event cannot be renamed' });
      await admin.put(`/admin/api/event-definitions/${lead.id}`).send({ ...lead, enabled: true }).expect(200); // the whole record back, unchanged name: fine
      const del = await admin.delete(`/admin/api/event-definitions/${lead.id}`).set('Content-Type', 'text/plain').expect(409);
      expect(del.body.code).toBe('standard_event');

      const deleted = await admin.delete(`/admin/api/event-definitions/${created.body.id}`).set('Content-Type', 'text/plain').expect(200);
      expect(deleted.body).toMatchObject({ id: created.body.id, name: 'WebinarRegistration' });
      await viewer.get(`/admin/api/event-definitions/${created.body.id}`).expect(404);
    });
  });

  describe('pixels', () => {
    it('never returns the access token: only has_access_token and a …last4 hint', async () => {
      const res = record(await viewer.get('/admin/api/pixels').expect(200));
      expect(res.headers['content-range']).toBe('pixels 0-0/1');
      expect(res.body[0]).toEqual({
        id: 1,
        dataset_id: PIXEL_ID,
        name: `Pixel ${PIXEL_ID}`,
        enabled: true,
        allowed_origins: [],
        test_event_code: null,
        test_event_code_expires_at: null,
        test_event_code_active: false,
        has_access_token: true,
        access_token_hint: `…${ACCESS_TOKEN.slice(-4)}`,
        paused: false,
        paused_reason: null,
        paused_at: null,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      });
    });

    it('creates a pixel with origins, test event code and expiry; the token is write-only and stored encrypted', async () => {
      const expires = Date.now() + 3_600_000;
      const res = record(
        await admin
          .post('/admin/api/pixels')
          .send({ dataset_id: '555666777888', name: 'Brand B', access_token: NEW_TOKEN, allowed_origins: ['https://b.example.com/', '*'], test_event_code: 'TEST4242', test_event_code_expires_at: expires })
          .expect(201),
      );
      expect(res.body).toMatchObject({ dataset_id: '555666777888', allowed_origins: ['https://b.example.com', '*'], test_event_code: 'TEST4242', test_event_code_expires_at: expires, test_event_code_active: true, access_token_hint: '…ZZ9Q', has_access_token: true });
      expect(res.body).not.toHaveProperty('access_token');
      const row = await bus.testDb.db('pixels').where({ id: res.body.id }).first();
      expect(row.access_token_enc).toMatch(/^v1:/);
      expect(row.access_token_enc).not.toContain(NEW_TOKEN);
      const dup = await admin.post('/admin/api/pixels').send({ dataset_id: '555666777888' }).expect(409);
      expect(dup.body.errors).toEqual({ dataset_id: 'already exists' });
    });

    it('refuses invalid values naming the field, without echoing the token', async () => {
      const res = await admin
        .post('/admin/api/pixels')
        .send({ dataset_id: 'abc', access_token: 'short', allowed_origins: ['https://ok.example.com', 'javascript:alert(1)', 'https://x.example.com/path'], test_event_code: 'has spaces', test_event_code_expires_at: 'soon' })
        .expect(400);
      expect(res.body.errors).toEqual({
        dataset_id: expect.stringMatching(/numeric dataset/),
        access_token: expect.stringMatching(/too short/),
        'allowed_origins.1': expect.stringMatching(/origin/),
        'allowed_origins.2': expect.stringMatching(/origin/),
        test_event_code: expect.any(String),
        test_event_code_expires_at: expect.any(String),
      });
      const tokenWithSpace = `${NEW_TOKEN} extra`;
      const spaced = await admin.put('/admin/api/pixels/1').send({ access_token: tokenWithSpace }).expect(400);
      expect(spaced.text).not.toContain(NEW_TOKEN);
      expect((await admin.put('/admin/api/pixels/1').send({ dataset_id: '111222333' }).expect(400)).body.errors).toEqual({ dataset_id: 'cannot be changed' });
    });

    it('updates with PUT: the edit form’s whole record back, empty token = unchanged, a new token replaces it and lifts a pause', async () => {
      const current = (await viewer.get('/admin/api/pixels/1').expect(200)).body;
      const same = record(await admin.put('/admin/api/pixels/1').send({ ...current, name: 'Main shop', access_token: '' }).expect(200));
      expect(same.body).toMatchObject({ name: 'Main shop', access_token_hint: `…${ACCESS_TOKEN.slice(-4)}` });

      await bus.c.pixelRepo.pause(1, 'Meta rejected the access token (code 190)');
      const paused = record(await viewer.get('/admin/api/pixels/1').expect(200));
      expect(paused.body).toMatchObject({ paused: true, paused_reason: expect.stringMatching(/190/) });
      const stats = (await viewer.get('/admin/api/stats').expect(200)).body;
      expect(stats.paused_pixels).toEqual([expect.objectContaining({ id: 1, dataset_id: PIXEL_ID, paused_reason: expect.stringMatching(/190/), waiting_events: expect.any(Number) })]);

      const fixed = record(await admin.put('/admin/api/pixels/1').send({ access_token: NEW_TOKEN }).expect(200));
      expect(fixed.body).toMatchObject({ paused: false, paused_reason: null, access_token_hint: '…ZZ9Q' });
      expect(fixed.text).not.toContain(NEW_TOKEN);

      const manual = await admin.put('/admin/api/pixels/1').send({ paused: true }).expect(200);
      expect(manual.body).toMatchObject({ paused: true, paused_reason: 'Paused from the dashboard by admin@example.com' });
      const resumed = await admin.put('/admin/api/pixels/1').send({ paused: false, allowed_origins: [ORIGIN] }).expect(200);
      expect(resumed.body).toMatchObject({ paused: false, allowed_origins: [ORIGIN] });
    });

    it('sends a test event through the normal pipeline, delivered with the active test event code', async () => {
      await admin.put('/admin/api/pixels/1').send({ test_event_code: 'TEST777', test_event_code_expires_at: Date.now() + 600_000 }).expect(200);
      const res = record(await admin.post('/admin/api/pixels/1/test-event').expect(202));
      expect(res.body).toMatchObject({ id: expect.any(Number), pixel_id: 1, event_name: 'PageView', event_id: expect.stringMatching(/^mcb-test-/), status: 'queued', test_event_code: 'TEST777', warnings: [] });
      await bus.drain();
      const sent = bus.emulator.received().filter((r) => r.event.event_id === res.body.event_id);
      expect(sent).toEqual([expect.objectContaining({ pixelId: PIXEL_ID, testEventCode: 'TEST777' })]);
      expect((await viewer.get(`/admin/api/events/${res.body.id}`).expect(200)).body.status).toBe('delivered');

      await admin.put('/admin/api/pixels/1').send({ test_event_code: null }).expect(200);
      const warned = await admin.post('/admin/api/pixels/1/test-event').expect(202);
      expect(warned.body.warnings).toEqual([expect.stringMatching(/No test event code is active/)]);
      await bus.drain();
    });

    it('the access token never appears in any response or log line', async () => {
      for (const body of bodies) {
        expect(body).not.toContain(ACCESS_TOKEN);
        expect(body).not.toContain(NEW_TOKEN);
      }
      // Every pixel read once more, as admin and viewer.
      for (const agent of [admin, viewer]) {
        const all = await agent.get('/admin/api/pixels').expect(200);
        expect(all.text).not.toContain(NEW_TOKEN);
        expect(all.text).not.toContain(ACCESS_TOKEN.slice(0, 20));
      }
      const logs = bus.logs();
      expect(logs.length).toBeGreaterThan(1000);
      expect(logs).not.toContain(ACCESS_TOKEN);
      expect(logs).not.toContain(NEW_TOKEN);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, lists name/prefix/last use, and revoking it stops intake', async () => {
      const created = await admin.post('/admin/api/api-keys').send({ name: 'checkout-service' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(Number), name: 'checkout-service', prefix: created.body.key.slice(0, 12), created_at: expect.any(Number), last_used_at: null, revoked_at: null, revoked: false, key: expect.stringMatching(/^mcb_/) });
      const key = created.body.key as string;
      await bus.http.post('/v1/events').set('Authorization', `Bearer ${key}`).send(websiteEvent({ pixel_id: PIXEL_ID })).expect(202);

      const listed = await viewer.get('/admin/api/api-keys').query({ filter: '{"q":"checkout"}' }).expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ id: created.body.id, name: 'checkout-service', last_used_at: expect.any(Number), revoked: false })]);
      expect(listed.text).not.toContain(key);
      expect((await viewer.get(`/admin/api/api-keys/${created.body.id}`).expect(200)).text).not.toContain(key);

      const revoked = await admin.delete(`/admin/api/api-keys/${created.body.id}`).set('Content-Type', 'text/plain').expect(200);
      expect(revoked.body).toMatchObject({ id: created.body.id, revoked: true, revoked_at: expect.any(Number) });
      await admin.delete(`/admin/api/api-keys/${created.body.id}`).expect(200); // idempotent
      await bus.http.post('/v1/events').set('Authorization', `Bearer ${key}`).send(websiteEvent({ pixel_id: PIXEL_ID })).expect(401);
      expect((await viewer.get('/admin/api/api-keys').query({ filter: '{"revoked":true}' })).body.map((k: { id: number }) => k.id)).toEqual([created.body.id]);
      expect(bus.logs()).not.toContain(key);
      expect((await admin.post('/admin/api/api-keys').send({ name: '' }).expect(400)).body.errors).toEqual({ name: 'is required' });
      await admin.delete('/admin/api/api-keys/99999').expect(404);
    });
  });

  describe('users (admin only)', () => {
    it('creates users, changes roles, disables them; the last admin cannot lock the team out', async () => {
      const created = await admin.post('/admin/api/users').send({ email: 'Mia@Example.com', password: 'a-good-long-password', role: 'viewer' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(Number), email: 'mia@example.com', role: 'viewer', disabled: false, created_at: expect.any(Number), updated_at: expect.any(Number), last_login_at: null });
      expect(created.text).not.toMatch(/password/);
      expect((await admin.post('/admin/api/users').send({ email: 'mia@example.com', password: 'a-good-long-password' }).expect(409)).body.errors).toEqual({ email: 'is already used by another user' });
      const invalid = await admin.post('/admin/api/users').send({ email: 'not-an-email', password: 'short', role: 'owner' }).expect(400);
      expect(invalid.body.errors).toEqual({ email: expect.any(String), password: 'must be at least 10 characters', role: 'must be one of admin, viewer' });

      const promoted = await admin.put(`/admin/api/users/${created.body.id}`).send({ ...created.body, role: 'admin', password: '' }).expect(200);
      expect(promoted.body.role).toBe('admin');
      const list = await admin.get('/admin/api/users').query({ sort: '["email","ASC"]', filter: '{"role":"admin"}' }).expect(200);
      expect(list.body.map((u: { email: string }) => u.email)).toEqual(['admin@example.com', 'mia@example.com']);
      expect(list.headers['content-range']).toBe('users 0-1/2');

      const me = (await admin.get('/admin/api/auth/me')).body;
      expect((await admin.put(`/admin/api/users/${me.id}`).send({ disabled: true }).expect(400)).body.errors).toEqual({ disabled: 'cannot be set on your own account' });
      expect((await admin.put(`/admin/api/users/${me.id}`).send({ role: 'viewer' }).expect(400)).body.errors).toEqual({ role: 'cannot be changed on your own account' });
      await admin.put(`/admin/api/users/${created.body.id}`).send({ disabled: true }).expect(200);
      const mia = await bus.login('admin', 'mia@example.com').catch((e: Error) => e);
      expect(mia).toBeInstanceOf(Error); // disabled: cannot sign in

      // Password reset by an admin signs the user in with the new password only.
      await admin.put(`/admin/api/users/${created.body.id}`).send({ disabled: false, password: 'the-new-password-123' }).expect(200);
      await bus.http.post('/admin/api/auth/login').set('X-Requested-With', 'XMLHttpRequest').send({ email: 'mia@example.com', password: 'the-new-password-123' }).expect(200);

      await viewer.get('/admin/api/users').expect(403);
      await viewer.get(`/admin/api/users/${me.id}`).expect(403);
    });

    it('refuses to demote or disable the last active admin (even for an actor that is not that admin)', async () => {
      const mia = (await admin.get('/admin/api/users').query({ filter: '{"email":"mia@example.com"}' })).body[0];
      await admin.put(`/admin/api/users/${mia.id}`).send({ role: 'viewer' }).expect(200);
      const me = (await admin.get('/admin/api/auth/me')).body;
      // Over HTTP the only admin left is the caller, who cannot demote themselves; the service guards the general case.
      const actor = { id: 0, email: 'system', role: 'admin' as const, disabled: false, createdAt: 0, updatedAt: 0, lastLoginAt: null };
      await expect(bus.c.admin.users.update(me.id, { role: 'viewer' }, actor)).rejects.toMatchObject({ status: 409, errors: { role: expect.stringMatching(/last active admin/) } });
      await expect(bus.c.admin.users.update(me.id, { disabled: true }, actor)).rejects.toMatchObject({ status: 409, errors: { disabled: expect.stringMatching(/last active admin/) } });
      expect((await admin.get('/admin/api/auth/me').expect(200)).body.role).toBe('admin');
    });
  });

  describe('settings (a single record: settings/1)', () => {
    it('reads and updates the retry policy, batch size, timeout and retention', async () => {
      const list = await viewer.get('/admin/api/settings').expect(200);
      expect(list.headers['content-range']).toBe('settings 0-0/1');
      const current = (await viewer.get('/admin/api/settings/1').expect(200)).body;
      expect(current).toEqual({ id: 1, retry_max_attempts: 1, retry_base_backoff_ms: 100, retry_max_backoff_ms: 1000, batch_size: 1000, request_timeout_ms: 1500, retention_days: 30 });
      const updated = await admin.put('/admin/api/settings/1').send({ ...current, retry_max_attempts: 5, batch_size: 500, retention_days: 90 }).expect(200);
      expect(updated.body).toMatchObject({ retry_max_attempts: 5, batch_size: 500, retention_days: 90, request_timeout_ms: 1500 });
      expect((await bus.c.settings.get()).batchSize).toBe(500);
      await viewer.get('/admin/api/settings/2').expect(404);
    });

    it('refuses invalid values naming the field', async () => {
      const res = await admin.put('/admin/api/settings/1').send({ retry_max_attempts: 0, batch_size: 5000, request_timeout_ms: 'fast', retention_days: 1.5, colour: 'red' }).expect(400);
      expect(res.body.errors).toEqual({
        retry_max_attempts: 'must be at least 1',
        batch_size: expect.stringMatching(/at most 1000/),
        request_timeout_ms: 'must be a number',
        retention_days: 'must be a whole number',
        colour: 'is not a recognised field',
      });
      const backoff = await admin.put('/admin/api/settings/1').send({ retry_base_backoff_ms: 60_000, retry_max_backoff_ms: 1_000 }).expect(400);
      expect(backoff.body.errors).toEqual({ retry_max_backoff_ms: 'must be at least retry_base_backoff_ms' });
      expect((await bus.c.settings.get()).batchSize).toBe(500);
    });
  });

  describe('stats', () => {
    it('answers the dashboard: series per status, latency, top errors, paused pixels, match-key coverage', async () => {
      await bus.drain(); // nothing else in the batch that fails
      bus.emulator.configure({ failNext: [{ kind: 'meta', code: 100 }] });
      await intake([websiteEvent({ event_name: 'Purchase', event_id: 'st-bad', custom_data: { value: 1, currency: 'EUR' } })]).expect(202);
      await bus.drain();
      await intake([
        websiteEvent({ event_name: 'Purchase', event_id: 'st-1', custom_data: { value: 1, currency: 'EUR' }, user_data: { email: 'a@example.com', phone: '+15550100', external_id: 'x', client_user_agent: 'UA', client_ip_address: '203.0.113.1', fbp: 'fb.1.1700000000000.1', fbc: 'fb.1.1700000000000.abc' } }),
        websiteEvent({ event_name: 'Purchase', event_id: 'st-2', custom_data: { value: 1, currency: 'EUR' }, user_data: { client_user_agent: 'UA' } }),
      ]).expect(202);
      await bus.drain();

      const res = await viewer.get('/admin/api/stats').expect(200);
      const s = res.body;
      expect(s).toMatchObject({ id: 'dashboard', bucket: 'hour', from: expect.any(Number), to: expect.any(Number), generated_at: expect.any(Number) });
      expect(s.series).toHaveLength(25);
      const sum = (k: string) => s.series.reduce((n: number, b: Record<string, number>) => n + b[k]!, 0);
      expect(sum('delivered')).toBe(s.totals.delivered);
      expect(s.totals.failed).toBe(1);
      expect(s.current.delivered).toBeGreaterThanOrEqual(s.totals.delivered);
      expect(s.latency).toEqual({ delivered: s.totals.delivered, p50_ms: expect.any(Number), p95_ms: expect.any(Number) });
      expect(s.latency.p95_ms).toBeGreaterThanOrEqual(s.latency.p50_ms);
      expect(s.top_errors[0]).toMatchObject({ error_code: 100, error_subcode: 2804019, events: 1, message: expect.any(String) });
      expect(s.paused_pixels).toEqual([]);
      expect(s.active_test_event_codes).toEqual([expect.objectContaining({ dataset_id: '555666777888', test_event_code: 'TEST4242' })]);
      const purchase = s.match_keys.by_event.find((e: { event_name: string }) => e.event_name === 'Purchase');
      expect(purchase.events).toBe(3);
      expect(purchase.counts).toMatchObject({ em: 2, ph: 1, external_id: 1, fbp: 1, fbc: 1, client_ip_address: 2, client_user_agent: 3 }); // st-bad carries websiteEvent's default email, UA and IP
      expect(purchase.coverage).toMatchObject({ em: 0.6667, ph: 0.3333, client_user_agent: 1 });
      expect(s.match_keys.keys).toEqual(['em', 'ph', 'fn', 'ln', 'external_id', 'fbp', 'fbc', 'client_ip_address', 'client_user_agent']);
    });

    it('takes a range and bucket, and refuses unknown or oversized parameters', async () => {
      const to = Date.now();
      const days = await viewer.get('/admin/api/stats').query({ from: String(to - 7 * 86_400_000), to: String(to), bucket: 'day' }).expect(200);
      expect(days.body.series).toHaveLength(8);
      const iso = await viewer.get('/admin/api/stats').query({ from: new Date(to - 3 * 86_400_000).toISOString() }).expect(200);
      expect(iso.body.bucket).toBe('day');
      expect((await viewer.get('/admin/api/stats').query({ bucket: 'minute' }).expect(400)).body.errors).toEqual({ bucket: 'must be hour or day' });
      expect((await viewer.get('/admin/api/stats').query({ since: '1' }).expect(400)).body.errors).toEqual({ since: 'is not a recognised field' });
      expect((await viewer.get('/admin/api/stats').query({ from: String(to - 90 * 86_400_000), bucket: 'hour' }).expect(400)).body.errors.from).toMatch(/more than 744 hours/);
      expect((await viewer.get('/admin/api/stats').query({ from: String(to), to: String(to - 1) }).expect(400)).body.errors).toEqual({ from: 'must be before to' });
    });
  });
});
