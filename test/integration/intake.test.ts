import crypto from 'node:crypto';
import { DIALECTS } from '../helpers/db';
import { startBus, websiteEvent, type Bus } from '../helpers/harness';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

describe.each(DIALECTS)('intake on %s', (dialect) => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus(dialect);
  });
  afterAll(async () => bus.stop());

  const post = (body: unknown, key = bus.apiKey) => bus.http.post('/v1/events').set('Authorization', `Bearer ${key}`).send(body as object);
  const stored = (eventId: string) => bus.testDb.db('events').where({ event_id: eventId }).first();

  it('accepts a Purchase after commit, hashes user data and answers 202 with its event_id', async () => {
    const res = await post({
      data: [
        websiteEvent({
          event_name: 'Purchase',
          event_id: 'purchase_1001',
          user_data: { email: '  John.Doe@Example.COM ', phone: '+1 (650) 555-1212', first_name: 'John', client_user_agent: 'UA/1.0', client_ip_address: '203.0.113.7', fbp: 'fb.1.1700000000000.123456' },
          custom_data: { value: 129.5, currency: 'eur' },
        }),
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual([{ index: 0, event_id: 'purchase_1001', event_name: 'Purchase', status: 'queued' }]);
    const row = await stored('purchase_1001');
    expect(row.status).toBe('queued');
    const payload = JSON.parse(row.payload);
    expect(payload.user_data.em).toEqual([sha('john.doe@example.com')]);
    expect(payload.user_data.ph).toEqual([sha('16505551212')]);
    expect(payload.user_data.fn).toEqual([sha('john')]);
    expect(payload.user_data.client_ip_address).toBe('203.0.113.7');
    expect(payload.user_data.fbp).toBe('fb.1.1700000000000.123456');
    expect(payload.custom_data).toMatchObject({ value: 129.5, currency: 'EUR' });
    expect(row.payload).not.toMatch(/john|doe@|6505551212/i);
  });

  it('accepts a single event object (no data envelope) and generates a UUID event_id when missing', async () => {
    const res = await post(websiteEvent({ event_name: 'Contact' }));
    expect(res.status).toBe(202);
    const id = res.body.data[0].event_id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stored(id)).event_name).toBe('Contact');
  });

  it('stores text that is not ASCII, quotes and backslashes exactly as sent', async () => {
    // On MySQL the payload travels as bytes (a hex literal), not as an escaped string.
    const custom = { value: 5, currency: 'EUR', content_name: 'Crème brûlée «deluxe» 🍮 — 10% off', search_string: `O'Neil "quoted" back\\slash \u0000 tab\t`, status: '日本語' };
    const res = await post(websiteEvent({ event_name: 'Purchase', event_id: 'text_1', custom_data: custom }));
    expect(res.status).toBe(202);
    const row = await stored('text_1');
    expect(typeof row.payload).toBe('string');
    expect(JSON.parse(row.payload).custom_data).toEqual(custom);
  });

  it('keeps an already-hashed value as is instead of hashing it twice', async () => {
    const hashed = sha('someone@example.com');
    const res = await post(websiteEvent({ event_id: 'prehashed_1', user_data: { em: hashed.toUpperCase(), client_user_agent: 'UA' } }));
    expect(res.status).toBe(202);
    expect(JSON.parse((await stored('prehashed_1')).payload).user_data.em).toEqual([hashed]);
  });

  it('answers duplicate for a repeat of (pixel, event_name, event_id) and stores it once', async () => {
    const e = websiteEvent({ event_name: 'CompleteRegistration', event_id: 'registration_77' });
    expect((await post(e)).body.data[0].status).toBe('queued');
    const again = await post({ data: [e, e] });
    expect(again.status).toBe(202);
    expect(again.body.data.map((d: { status: string }) => d.status)).toEqual(['duplicate', 'duplicate']);
    expect(await bus.testDb.db('events').where({ event_id: 'registration_77' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('stores an event whose definition is disabled as skipped', async () => {
    await bus.c.definitions.setEnabled('Lead', false);
    bus.c.intake.invalidate();
    const res = await post(websiteEvent({ event_name: 'Lead', event_id: 'lead_1' }));
    expect(res.body.data[0].status).toBe('skipped');
    expect((await stored('lead_1')).status).toBe('skipped');
    await bus.c.definitions.setEnabled('Lead', true);
  });

  it('registers an unknown event name from a backend as an enabled custom event', async () => {
    const res = await post(websiteEvent({ event_name: 'QuoteRequested', event_id: 'quote_1' }));
    expect(res.body.data[0].status).toBe('queued');
    expect(await bus.c.definitions.findByName('QuoteRequested')).toMatchObject({ isStandard: false, enabled: true });
  });

  it('accepts the valid events of a request and reports each invalid one by index, storing none of them', async () => {
    const old = now() - 8 * 86400;
    const res = await post({
      data: [
        websiteEvent({ event_id: 'ok_1' }),
        { ...websiteEvent({ event_id: 'bad_1' }), event_name: undefined },
        websiteEvent({ event_id: 'bad_2', event_time: old }),
        websiteEvent({ event_id: 'bad_3', event_time: now() + 3600 }),
        websiteEvent({ event_id: 'bad_4', event_name: 'Purchase', custom_data: { value: 10, currency: 'XYZ' } }),
        websiteEvent({ event_id: 'bad_5', event_name: 'Purchase', custom_data: { value: -1, currency: 'USD' } }),
        websiteEvent({ event_id: 'bad_6', event_name: 'Purchase' }),
        websiteEvent({ event_id: 'bad_7', user_data: { email: 'a@b.co' } }),
        { ...websiteEvent({ event_id: 'bad_8' }), event_source_url: undefined },
        websiteEvent({ event_id: 'bad_9', user_data: { client_user_agent: 'UA', fbc: 'not-an-fbc' } }),
        websiteEvent({ event_id: 'bad_10', pixel_id: '999999999' }),
        websiteEvent({ event_id: 'bad_11', event_time: Date.now() }),
        websiteEvent({ event_id: 'bad_12', action_source: 'carrier_pigeon' }),
        websiteEvent({ event_id: 'bad_13', surprise: 1 }),
        websiteEvent({ event_id: 'bad_14', user_data: ['Jane.Roe@Example.com'] }),
        websiteEvent({ event_id: 'bad_15', user_data: 'Jane.Roe@Example.com' }),
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    const errs = Object.fromEntries(res.body.errors.map((e: { index: number; errors: Record<string, string> }) => [e.index, e.errors]));
    expect(errs[1]).toEqual({ event_name: expect.stringMatching(/required/) });
    expect(errs[2]).toEqual({ event_time: expect.stringMatching(/7 days/) });
    expect(errs[3]).toEqual({ event_time: expect.stringMatching(/future/) });
    expect(errs[4]).toEqual({ 'custom_data.currency': expect.stringMatching(/ISO 4217/) });
    expect(errs[5]).toEqual({ 'custom_data.value': expect.stringMatching(/non-negative/) });
    expect(errs[6]).toMatchObject({ 'custom_data.currency': expect.any(String), 'custom_data.value': expect.any(String) });
    expect(errs[7]).toEqual({ 'user_data.client_user_agent': expect.stringMatching(/website/) });
    expect(errs[8]).toEqual({ event_source_url: expect.stringMatching(/website/) });
    expect(errs[9]).toEqual({ 'user_data.fbc': expect.stringMatching(/fb\.1\./) });
    expect(errs[10]).toEqual({ pixel_id: expect.stringMatching(/unknown pixel/) });
    expect(errs[11]).toEqual({ event_time: expect.stringMatching(/seconds/) });
    expect(errs[12]).toEqual({ action_source: expect.stringMatching(/one of/) });
    expect(errs[13]).toEqual({ surprise: expect.stringMatching(/unknown field/) });
    expect(errs[14]).toEqual({ user_data: 'must be an object' });
    expect(errs[15]).toEqual({ user_data: 'must be an object' });
    const ids = (await bus.testDb.db('events').where('event_id', 'like', 'bad_%').pluck('event_id')) as string[];
    expect(ids).toEqual([]);
  });

  it('accepts a full request of 1000 events in one commit (more rows than one SQLite statement takes), repeats answered duplicate', async () => {
    await post({ data: [websiteEvent({ event_id: 'full_17' })] }).expect(202);
    const data = Array.from({ length: 1000 }, (_, i) => websiteEvent({ event_id: `full_${i}` }));
    const res = await post({ data }).expect(202);
    expect(res.body).toMatchObject({ accepted: 1000, rejected: 0 });
    const statuses = (res.body.data as Array<{ event_id: string; status: string }>).map((d) => d.status);
    expect(statuses.filter((st) => st === 'queued')).toHaveLength(999);
    expect(res.body.data[17]).toMatchObject({ event_id: 'full_17', status: 'duplicate' });
    expect(await bus.testDb.db('events').where('event_id', 'like', 'full_%').count({ n: '*' }).first()).toEqual({ n: 1000 });
  });

  it('answers 400 when no event of the request is valid', async () => {
    const res = await post({ data: [{ event_time: now() }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', accepted: 0, errors: [{ index: 0, errors: { event_name: expect.any(String) } }] });
  });

  it('rejects bodies that cannot be used as a whole: bad JSON, too many events, too large, wrong envelope', async () => {
    const bad = await bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).set('Content-Type', 'application/json').send('{"data": [');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_json', errors: { body: expect.any(String) } });

    const many = await post({ data: Array.from({ length: 1001 }, (_, i) => websiteEvent({ event_id: `many_${i}` })) });
    expect(many.status).toBe(413);
    expect(many.body.errors.data).toMatch(/at most 1000/);

    const huge = await post({ data: [websiteEvent({ custom_data: { blob: 'x'.repeat(6 * 1024 * 1024) } })] });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'body_too_large', errors: { body: expect.any(String) } });

    const notArray = await post({ data: 'nope' });
    expect(notArray.status).toBe(400);
    expect(notArray.body.errors).toEqual({ data: expect.any(String) });

    const array = await post([websiteEvent()]);
    expect(array.status).toBe(400);
    expect(await bus.testDb.db('events').where('event_id', 'like', 'many_%').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('refuses intake without a valid API key', async () => {
    expect((await bus.http.post('/v1/events').send(websiteEvent())).status).toBe(401);
    expect((await post(websiteEvent(), 'mcb_wrong')).status).toBe(401);
    const { key, apiKey } = await bus.c.apiKeys.create('revoked');
    expect((await post(websiteEvent(), key)).status).toBe(202);
    await bus.c.apiKeys.revoke(apiKey.id);
    expect((await post(websiteEvent(), key)).status).toBe(401);
  });

  describe('browser intake (/v1/collect)', () => {
    const origin = 'https://shop.example.com';
    beforeAll(async () => {
      await bus.testDb.db('pixels').update({ allowed_origins: JSON.stringify([origin]) });
      bus.c.intake.invalidate();
    });
    const collect = (body: unknown, o = origin) =>
      bus.http
        .post('/v1/collect')
        .set('Origin', o)
        .set('User-Agent', 'Mozilla/5.0 (Browser Test)')
        .set('Cookie', '_fbp=fb.1.1700000000000.987654321')
        .set('Content-Type', 'text/plain;charset=UTF-8')
        .send(JSON.stringify(body));

    it('accepts a text/plain body, takes user agent, fbp cookie and fbclid from the request', async () => {
      const res = await collect({ event_name: 'ViewContent', event_id: 'view_1', event_source_url: 'https://shop.example.com/p?fbclid=IwAR_Ab-9.x%2F', user_data: { em: sha('x@example.com') } });
      expect(res.status).toBe(202);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      const p = JSON.parse((await stored('view_1')).payload);
      expect(p.action_source).toBe('website');
      expect(p.user_data.client_user_agent).toBe('Mozilla/5.0 (Browser Test)');
      expect(p.user_data.fbp).toBe('fb.1.1700000000000.987654321');
      expect(p.user_data.fbc).toMatch(/^fb\.1\.\d{13}\.IwAR_Ab-9\.x%2F$/);
      expect((await stored('view_1')).source).toBe('browser');
    });

    it('refuses an origin the pixel does not allow, and undefined event names', async () => {
      const res = await collect({ event_name: 'ViewContent', event_source_url: 'https://evil.example.net/' }, 'https://evil.example.net');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].errors).toEqual({ origin: expect.stringMatching(/not in the pixel's allowed origins/) });
      const unknown = await collect({ event_name: 'MadeUpEvent', event_source_url: 'https://shop.example.com/' });
      expect(unknown.body.errors[0].errors).toEqual({ event_name: expect.stringMatching(/not a defined event/) });
    });

    it('answers bad JSON with 400 and more than 50 events with 413', async () => {
      const bad = await bus.http.post('/v1/collect').set('Origin', origin).set('Content-Type', 'text/plain').send('{oops');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual({ body: 'is not valid JSON' });
      const many = await collect({ data: Array.from({ length: 51 }, () => ({ event_name: 'PageView', event_source_url: 'https://shop.example.com/' })) });
      expect(many.status).toBe(413);
    });
  });

  it('never writes raw PII to the database or the logs', async () => {
    await post(websiteEvent({ event_id: 'pii_1', user_data: { email: 'Secret.Person@Private.example', phone: '+44 20 7946 0958', first_name: 'Zebulon', last_name: 'Quixote', date_of_birth: '1984-02-29', city: 'Llanfairpwll', zip: 'SW1A 1AA', client_user_agent: 'UA' } }));
    const dump = JSON.stringify(await bus.testDb.db('events').select());
    const logs = bus.logs();
    // Whole values only: a short fragment such as '7946' also turns up in millisecond timestamps.
    for (const pii of ['Secret.Person', 'secret.person', '+44 20 7946 0958', '442079460958', '2079460958', 'Zebulon', 'zebulon', 'Quixote', '19840229', '1984-02-29', 'Llanfairpwll', 'llanfairpwll', 'sw1a1aa']) {
      expect(dump).not.toContain(pii);
      expect(logs).not.toContain(pii);
    }
    expect(logs).not.toContain(bus.apiKey);
  });
});

describe('browser intake behind a proxy (TRUST_PROXY=1)', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus('sqlite', { env: { TRUST_PROXY: '1' } });
    await bus.testDb.db('pixels').update({ allowed_origins: JSON.stringify(['*']) });
  });
  afterAll(async () => bus.stop());

  it('takes client_ip_address from X-Forwarded-For when the proxy is trusted', async () => {
    const res = await bus.http
      .post('/v1/collect')
      .set('Origin', 'https://any.example.com')
      .set('User-Agent', 'UA')
      .set('X-Forwarded-For', '198.51.100.23')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ event_name: 'PageView', event_id: 'pv_proxy', event_source_url: 'https://any.example.com/' }));
    expect(res.status).toBe(202);
    const row = await bus.testDb.db('events').where({ event_id: 'pv_proxy' }).first();
    expect(JSON.parse(row.payload).user_data.client_ip_address).toBe('198.51.100.23');
  });
});

describe('group commit on MariaDB: prepared INSERTs', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus('mysql');
  });
  afterAll(async () => bus.stop());

  const preparedOnServer = async () => {
    const [rows] = (await bus.testDb.db.raw(`SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'`)) as [Array<{ Value: string }>];
    return Number(rows[0]!.Value);
  };

  it('stores every value as given, and keeps at most 64 prepared statements per connection however many group sizes come', async () => {
    const pixelId = Number((await bus.testDb.db('pixels').first('id')).id);
    const lead = (eventId: string, status: 'queued' | 'skipped' = 'queued', userData: Record<string, string | string[]> = { client_user_agent: 'UA' }) => ({
      pixelId,
      source: 'server' as const,
      status,
      payload: { event_name: 'Lead', event_time: now(), event_id: eventId, action_source: 'website' as const, user_data: userData },
    });
    const before = await preparedOnServer();
    for (let size = 1; size <= 150; size++) {
      // 150 group sizes: 150 different statements.
      const events = Array.from({ length: size }, (_, i) => lead(`ps_${size}_${i}`, i % 2 ? 'skipped' : 'queued', { em: [sha(`p${i}@example.com`)], client_user_agent: 'UA "quoted" \\ ✓' }));
      expect(await bus.c.events.insertMany(events)).toEqual(events.map(() => 'inserted'));
    }
    const after = await preparedOnServer();
    // mysql2 closes the least recently used beyond 64 on a connection; sequential writes use one or two.
    expect(after - before).toBeGreaterThan(0);
    expect(after - before).toBeLessThanOrEqual(2 * 64);

    const rows = (await bus.testDb.db('events').where('event_id', 'like', 'ps_150_%').orderBy('id')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(150);
    expect(rows[0]).toMatchObject({ pixel_id: pixelId, event_name: 'Lead', event_id: 'ps_150_0', status: 'queued', attempts: 0, source: 'server', action_source: 'website' });
    expect(rows[1]).toMatchObject({ status: 'skipped', next_attempt_at: null });
    expect(Number(rows[0]!.next_attempt_at)).toBe(Number(rows[0]!.created_at));
    expect(JSON.parse(rows[1]!.payload as string).user_data).toEqual({ em: [sha('p1@example.com')], client_user_agent: 'UA "quoted" \\ ✓' });
    // A repeat still answers duplicate (the statement fails whole, then the new rows go in).
    expect(await bus.c.events.insertMany([lead('ps_150_0'), lead('ps_150_1'), lead('ps_new')])).toEqual(['duplicate', 'duplicate', 'inserted']);
  });
});
