import crypto from 'node:crypto';
import { DIALECTS } from '../helpers/db';
import { PIXEL_ID, startBus, websiteEvent, type AdminAgent, type Bus } from '../helpers/harness';
import { EVENT_SORTABLE } from '../../server/src/events/query-repository';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ORIGIN = 'https://shop.example.com';
const SECOND_PIXEL = '9876543210987';

type EventRec = Record<string, unknown> & { id: number; event_id: string; status: string; event_name: string };

describe.each(DIALECTS)('admin events API on %s', (dialect) => {
  let bus: Bus;
  let admin: AdminAgent;
  let viewer: AdminAgent;
  let secondPixelId: number;
  let seededAt: { start: number; end: number };
  const ids: Record<string, number> = {};

  const intake = (data: unknown[], pixel = PIXEL_ID) =>
    bus.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${bus.apiKey}`)
      .send({ data, pixel_id: pixel })
      .expect((r) => {
        if (r.status !== 202 || r.body.rejected) throw new Error(`intake refused: ${JSON.stringify(r.body)}`);
      });
  const list = (query: Record<string, unknown>, agent: AdminAgent = viewer) =>
    agent.get('/admin/api/events').query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  const eventIds = (body: EventRec[]) => body.map((e) => e.event_id).sort();
  const total = (res: { headers: Record<string, string> }) => Number(res.headers['content-range']!.split('/').pop());
  const statusOf = async (eventId: string) => (await bus.testDb.db('events').where({ event_id: eventId }).first()).status as string;

  beforeAll(async () => {
    bus = await startBus(dialect, { settings: { retry: { maxAttempts: 1, baseBackoffMs: 100, maxBackoffMs: 1000 } } });
    admin = await bus.login('admin');
    viewer = await bus.login('viewer');
    await admin.put('/admin/api/pixels/1').send({ allowed_origins: [ORIGIN] }).expect(200);
    secondPixelId = (await admin.post('/admin/api/pixels').send({ dataset_id: SECOND_PIXEL, name: 'Second shop', access_token: 'EAAsecond-pixel-token-0000000001' }).expect(201)).body.id;
    seededAt = { start: Date.now() - 1, end: 0 };

    // Delivered: three server events and a browser one.
    await intake([
      websiteEvent({ event_name: 'Purchase', event_id: 'buy-1', custom_data: { value: 10, currency: 'EUR' }, user_data: { email: 'Buyer@Example.com', phone: '+1 555 0100', client_user_agent: 'UA', fbp: 'fb.1.1700000000000.111' } }),
      websiteEvent({ event_name: 'Purchase', event_id: 'buy-2', custom_data: { value: 20, currency: 'EUR' } }),
      websiteEvent({ event_name: 'ViewContent', event_id: 'view-1' }),
    ]);
    await bus.http
      .post('/v1/collect')
      .set('Origin', ORIGIN)
      .set('User-Agent', 'Mozilla/5.0 test')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ pixel_id: PIXEL_ID, event_name: 'PageView', event_id: 'page-1', event_source_url: `${ORIGIN}/`, user_data: { external_id: 'u-1' } }))
      .expect(202);
    await intake([websiteEvent({ event_name: 'Lead', event_id: 'p2-lead' })], SECOND_PIXEL);
    await bus.drain();

    // Failed: Meta rejects it (code 100, subcode 2804019).
    bus.emulator.configure({ failNext: [{ kind: 'meta', code: 100 }] });
    await intake([websiteEvent({ event_name: 'Lead', event_id: 'lead-bad' })]);
    await bus.drain();

    // Not delivered: a transient error with a one-attempt policy, one at a time.
    for (const id of ['lead-nd-1', 'lead-nd-2', 'lead-nd-3']) {
      bus.emulator.configure({ failNext: [{ kind: 'http500' }] });
      await intake([websiteEvent({ event_name: 'Lead', event_id: id })]);
      await bus.drain();
    }
    bus.emulator.configure({ failNext: [{ kind: 'meta', code: 17, isTransient: true }] });
    await intake([websiteEvent({ event_name: 'AddToCart', event_id: 'cart-nd' })]);
    await bus.drain();

    // Skipped (definition disabled) and queued (not drained yet).
    await bus.c.definitions.setEnabled('Search', false);
    await intake([websiteEvent({ event_name: 'Search', event_id: 'search-skip' })]);
    await bus.c.definitions.setEnabled('Search', true);
    await intake([websiteEvent({ event_name: 'ViewContent', event_id: 'view-queued' })]);
    seededAt.end = Date.now() + 1;
    bus.emulator.reset();

    for (const r of (await bus.testDb.db('events').select('id', 'event_id')) as Array<{ id: number; event_id: string }>) ids[r.event_id] = Number(r.id);
  });
  afterAll(async () => bus.stop());

  it('seeded every status the list needs', async () => {
    const byStatus = Object.fromEntries(((await bus.testDb.db('events').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: number }>).map((r) => [r.status, Number(r.n)]));
    expect(byStatus).toEqual({ delivered: 5, failed: 1, not_delivered: 4, skipped: 1, queued: 1 });
  });

  describe('list (react-admin simple REST)', () => {
    it('answers a page with Content-Range, exposed to CORS readers, newest first by default', async () => {
      const res = await list({}).expect(200);
      expect(res.headers['content-range']).toBe('events 0-11/12');
      expect(res.headers['access-control-expose-headers']).toBe('Content-Range');
      expect(res.body).toHaveLength(12);
      expect(res.body[0].event_id).toBe('view-queued');
      expect(Object.keys(res.body[0]).sort()).toEqual(
        ['action_source', 'attempts', 'created_at', 'delivered_at', 'event_id', 'event_name', 'event_time', 'fbtrace_id', 'id', 'last_error_code', 'last_error_message', 'last_error_subcode', 'next_attempt_at', 'pixel_id', 'source', 'status', 'updated_at'].sort(),
      );
    });

    it('paginates with range=[start,end]', async () => {
      const sort = ['id', 'ASC'];
      const p1 = await list({ sort, range: [0, 4] }).expect(200);
      const p2 = await list({ sort, range: [5, 9] }).expect(200);
      const p3 = await list({ sort, range: [10, 14] }).expect(200);
      expect(p1.headers['content-range']).toBe('events 0-4/12');
      expect(p2.headers['content-range']).toBe('events 5-9/12');
      expect(p3.headers['content-range']).toBe('events 10-11/12');
      const all = [...p1.body, ...p2.body, ...p3.body].map((e: EventRec) => e.id);
      expect(all).toEqual([...all].sort((a, b) => a - b));
      expect(new Set(all).size).toBe(12);
      const past = await list({ sort, range: [50, 59] }).expect(200);
      expect(past.body).toEqual([]);
      expect(past.headers['content-range']).toBe('events */12');
    });

    it('filters by status (one or several)', async () => {
      expect(eventIds((await list({ filter: { status: 'failed' } }).expect(200)).body)).toEqual(['lead-bad']);
      const res = await list({ filter: { status: ['not_delivered', 'skipped'] } }).expect(200);
      expect(eventIds(res.body)).toEqual(['cart-nd', 'lead-nd-1', 'lead-nd-2', 'lead-nd-3', 'search-skip']);
      expect(total(res)).toBe(5);
    });

    it('filters by event name, pixel, source and action source', async () => {
      expect(eventIds((await list({ filter: { event_name: 'Purchase' } })).body)).toEqual(['buy-1', 'buy-2']);
      expect(eventIds((await list({ filter: { event_name: ['Search', 'AddToCart'] } })).body)).toEqual(['cart-nd', 'search-skip']);
      expect(eventIds((await list({ filter: { pixel_id: secondPixelId } })).body)).toEqual(['p2-lead']);
      expect(eventIds((await list({ filter: { source: 'browser' } })).body)).toEqual(['page-1']);
      expect(total(await list({ filter: { source: 'server' } }))).toBe(11);
      expect(total(await list({ filter: { action_source: 'website' } }))).toBe(12);
      expect(total(await list({ filter: { action_source: 'app' } }))).toBe(0);
    });

    it('filters by date range (epoch ms or ISO), event_id, error code and event_id prefix (q)', async () => {
      expect(total(await list({ filter: { created_at_gte: seededAt.start, created_at_lte: seededAt.end } }))).toBe(12);
      expect(total(await list({ filter: { created_at_gte: seededAt.end + 1 } }))).toBe(0);
      expect(total(await list({ filter: { created_at_lte: seededAt.start - 1 } }))).toBe(0);
      expect(total(await list({ filter: { created_at_gte: new Date(seededAt.start).toISOString() } }))).toBe(12);
      const today = new Date().toISOString().slice(0, 10);
      expect(total(await list({ filter: { created_at_gte: today, created_at_lte: today } }))).toBe(12); // a date alone covers the whole (UTC) day
      expect(total(await list({ filter: { created_at_lte: '2000-01-01' } }))).toBe(0);

      expect(eventIds((await list({ filter: { event_id: 'lead-nd-2' } })).body)).toEqual(['lead-nd-2']);
      expect(eventIds((await list({ filter: { last_error_code: 100 } })).body)).toEqual(['lead-bad']);
      expect(eventIds((await list({ filter: { last_error_code: [17, 1] } })).body)).toEqual(['cart-nd', 'lead-nd-1', 'lead-nd-2', 'lead-nd-3']);
      expect(eventIds((await list({ filter: { q: 'lead-nd' } })).body)).toEqual(['lead-nd-1', 'lead-nd-2', 'lead-nd-3']);
      expect(eventIds((await list({ filter: { q: 'nd' } })).body)).toEqual([]); // a prefix, not a substring
      expect(eventIds((await list({ filter: { q: 'lead_' } })).body)).toEqual([]); // _ is literal, not a wildcard
    });

    it('combines filters and answers getMany (filter={"id":[…]}) without a range', async () => {
      expect(eventIds((await list({ filter: { status: 'not_delivered', event_name: 'Lead', q: 'lead-nd-3' } })).body)).toEqual(['lead-nd-3']);
      const res = await list({ filter: { id: [ids['buy-1'], ids['page-1'], 999999] } }).expect(200);
      expect(eventIds(res.body)).toEqual(['buy-1', 'page-1']);
    });

    it.each(Object.keys(EVENT_SORTABLE))('sorts by %s both ways', async (field) => {
      for (const order of ['ASC', 'DESC'] as const) {
        const res = await list({ sort: [field, order], range: [0, 99] }).expect(200);
        expect(res.body).toHaveLength(12);
        const values = (res.body as EventRec[]).map((e) => e[field]).filter((v) => v !== null) as Array<string | number>;
        const norm = values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
        const sorted = [...norm].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(norm).toEqual(order === 'ASC' ? sorted : sorted.reverse());
      }
    });

    it('refuses an unknown or malformed sort, range or filter with 400 naming the parameter', async () => {
      const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
        [{ sort: ['foo', 'ASC'] }, { sort: expect.stringMatching(/^unknown field foo/) }],
        [{ sort: ['id', 'SIDEWAYS'] }, { sort: 'order must be ASC or DESC' }],
        [{ sort: '["id"' }, { sort: 'is not valid JSON' }],
        [{ sort: { field: 'id' } }, { sort: expect.stringMatching(/JSON array/) }],
        [{ range: '[0,' }, { range: 'is not valid JSON' }],
        [{ range: [10, 5] }, { range: expect.stringMatching(/start ≤ end/) }],
        [{ range: [-1, 5] }, { range: expect.any(String) }],
        [{ range: [0, 5000] }, { range: 'must span at most 1000 records' }],
        [{ range: [0.5, 2] }, { range: expect.any(String) }],
        [{ filter: '{"status":' }, { filter: 'is not valid JSON' }],
        [{ filter: ['status'] }, { filter: 'must be a JSON object' }],
        [{ filter: { colour: 'red' } }, { filter: 'unknown field colour' }],
        [{ filter: { status: 'lost' } }, { 'filter.status': expect.stringMatching(/must be/) }],
        [{ filter: { pixel_id: 'one' } }, { 'filter.pixel_id': expect.any(String) }],
        [{ filter: { created_at_gte: 'yesterday-ish' } }, { 'filter.created_at_gte': expect.stringMatching(/ISO 8601/) }],
        [{ filter: { last_error_code: 'x' } }, { 'filter.last_error_code': expect.any(String) }],
        [{ filter: { source: 'fax' } }, { 'filter.source': 'must be browser or server' }],
      ];
      for (const [query, errors] of cases) {
        const res = await list(query);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body).toMatchObject({ code: 'validation_failed', message: expect.any(String), errors });
      }
      const twice = await viewer.get('/admin/api/events?sort=["id","ASC"]&sort=["id","DESC"]').expect(400);
      expect(twice.body.errors).toEqual({ sort: expect.stringMatching(/once/) });
    });

    it('treats SQL in sort, filter and range as data: 400 or no match, and the tables are untouched', async () => {
      const before = await bus.testDb.db('events').count({ n: '*' }).first();
      const hostile: Array<[Record<string, unknown>, number]> = [
        [{ sort: ['id; DROP TABLE events; --', 'ASC'] }, 400],
        [{ sort: ['id', 'ASC; DROP TABLE events'] }, 400],
        [{ sort: ['(SELECT 1)', 'ASC'] }, 400],
        [{ sort: ['status`, (SELECT SLEEP(1)), `id', 'ASC'] }, 400],
        [{ range: [0, '1; DROP TABLE events'] }, 400],
        [{ range: '[0, 1) OR (1=1' }, 400],
        [{ filter: { "status = 'failed' OR 1=1 --": 'x' } }, 400],
        [{ filter: { status: "failed' OR '1'='1" } }, 400],
        [{ filter: { event_id: "x' OR '1'='1" } }, 200],
        [{ filter: { event_name: "Lead'; DROP TABLE events; --" } }, 200],
        [{ filter: { q: "%' OR 1=1 --" } }, 200],
        [{ filter: { q: '%' } }, 200],
        [{ filter: { id: ['1 OR 1=1'] } }, 400],
      ];
      for (const [query, status] of hostile) {
        const res = await list(query);
        expect({ query, status: res.status }).toEqual({ query, status });
        if (status === 200) expect(res.body).toEqual([]);
      }
      expect(await bus.testDb.db.schema.hasTable('events')).toBe(true);
      expect(await bus.testDb.db('events').count({ n: '*' }).first()).toEqual(before);
      expect(await bus.testDb.db.schema.hasTable('users')).toBe(true);
    });
  });

  describe('detail', () => {
    it('shows the stored (hashed) payload and every delivery attempt with Meta’s code, subcode, message and fbtrace_id', async () => {
      const res = await viewer.get(`/admin/api/events/${ids['lead-bad']}`).expect(200);
      expect(res.body).toMatchObject({ id: ids['lead-bad'], event_id: 'lead-bad', status: 'failed', last_error_code: 100, last_error_subcode: 2804019, fbtrace_id: expect.any(String) });
      expect(res.body.payload).toMatchObject({ event_name: 'Lead', event_id: 'lead-bad', user_data: { em: [sha('jane.roe@example.com')], client_user_agent: expect.any(String) } });
      expect(JSON.stringify(res.body)).not.toMatch(/Jane\.Roe@Example\.com/i);
      expect(res.body.delivery_attempts).toEqual([
        expect.objectContaining({ id: expect.any(Number), attempted_at: expect.any(Number), outcome: 'failed', http_status: 400, error_code: 100, error_subcode: 2804019, is_transient: false, message: expect.any(String), fbtrace_id: res.body.fbtrace_id, duration_ms: expect.any(Number), batch_size: 1 }),
      ]);

      const buy = await viewer.get(`/admin/api/events/${ids['buy-1']}`).expect(200);
      expect(buy.body.payload.user_data).toMatchObject({ em: [sha('buyer@example.com')], ph: [sha('15550100')], fbp: 'fb.1.1700000000000.111' });
      expect(buy.body.delivery_attempts).toEqual([expect.objectContaining({ outcome: 'delivered', http_status: 200, error_code: null })]);
    });

    it('answers 404 for an unknown event and 400 for a malformed id', async () => {
      expect((await viewer.get('/admin/api/events/999999').expect(404)).body.code).toBe('not_found');
      expect((await viewer.get('/admin/api/events/abc').expect(400)).body.errors).toEqual({ id: expect.any(String) });
      await viewer.get("/admin/api/events/1'%20OR%20'1'='1").expect(400);
    });
  });

  describe('retry', () => {
    it('validates the id list', async () => {
      expect((await admin.post('/admin/api/events/retry').send({}).expect(400)).body.errors).toEqual({ ids: expect.any(String) });
      expect((await admin.post('/admin/api/events/retry').send({ ids: [] }).expect(400)).body.errors).toEqual({ ids: 'must list at least one event id' });
      expect((await admin.post('/admin/api/events/retry').send({ ids: ['1'] }).expect(400)).body.errors).toEqual({ 'ids.0': expect.any(String) });
      await admin.post('/admin/api/events/retry').send({ ids: Array.from({ length: 1001 }, (_, i) => i + 1) }).expect(400);
    });

    it('retries one not_delivered event: queued at once, then delivered to Meta', async () => {
      const res = await admin.post('/admin/api/events/retry').send({ ids: [ids['lead-nd-1']] }).expect(200);
      expect(res.body).toEqual({ requested: 1, requeued: 1 });
      expect(await statusOf('lead-nd-1')).toBe('queued');
      await bus.drain();
      expect(await statusOf('lead-nd-1')).toBe('delivered');
      expect(bus.emulator.received().map((r) => r.event.event_id)).toContain('lead-nd-1');
    });

    it('retries a selection: failed and not_delivered ones move, others are left alone; repeating is harmless', async () => {
      const selection = [ids['lead-bad'], ids['cart-nd'], ids['buy-1'], ids['search-skip']];
      expect((await admin.post('/admin/api/events/retry').send({ ids: selection }).expect(200)).body).toEqual({ requested: 4, requeued: 2 });
      expect((await admin.post('/admin/api/events/retry').send({ ids: selection }).expect(200)).body).toEqual({ requested: 4, requeued: 0 });
      expect(await statusOf('buy-1')).toBe('delivered');
      expect(await statusOf('search-skip')).toBe('skipped');
      await bus.drain();
      expect(await statusOf('lead-bad')).toBe('delivered');
      expect(await statusOf('cart-nd')).toBe('delivered');
      const sent = bus.emulator.received().map((r) => r.event.event_id);
      expect(sent).toEqual(expect.arrayContaining(['lead-bad', 'cart-nd']));
      expect(sent).not.toContain('buy-1');
    });

    it('refuses a retry-matching filter that cannot match retryable events, or is malformed', async () => {
      const res = await admin.post('/admin/api/events/retry-matching').send({ filter: { status: 'delivered' } }).expect(400);
      expect(res.body.errors).toEqual({ 'filter.status': 'must include failed or not_delivered' });
      expect((await admin.post('/admin/api/events/retry-matching').send({ filter: { nope: 1 } }).expect(400)).body.errors).toEqual({ filter: 'unknown field nope' });
      expect((await admin.post('/admin/api/events/retry-matching').send({}).expect(400)).body.errors).toEqual({ filter: expect.any(String) });
    });

    it('retries all matching a filter as an Agenda job with progress; asking twice returns the same run', async () => {
      // Two more not_delivered Leads besides lead-nd-2 / lead-nd-3; one not_delivered Purchase stays out of the filter.
      for (const id of ['lead-nd-4', 'lead-nd-5', 'buy-nd']) {
        bus.emulator.configure({ failNext: [{ kind: 'http500' }] });
        await intake([websiteEvent({ event_name: id.startsWith('buy') ? 'Purchase' : 'Lead', event_id: id, ...(id.startsWith('buy') ? { custom_data: { value: 1, currency: 'EUR' } } : {}) })]);
        await bus.drain();
      }
      bus.emulator.reset();
      const filter = { event_name: 'Lead', status: ['not_delivered', 'failed'] };
      const started = await admin.post('/admin/api/events/retry-matching').send({ filter }).expect(202);
      expect(started.body).toMatchObject({ id: expect.any(Number), status: 'pending', total: 4, processed: 0, requeued: 0, progress: 0, filter: { event_name: ['Lead'], status: ['not_delivered', 'failed'] } });
      const again = await admin.post('/admin/api/events/retry-matching').send({ filter: { status: ['failed', 'not_delivered'], event_name: ['Lead'] } }).expect(200);
      expect(again.body.id).toBe(started.body.id);
      // The job is in Agenda's store, waiting for a worker.
      expect(await bus.testDb.db('agenda_jobs').where({ name: 'events:retry-run' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
      expect(await statusOf('lead-nd-4')).toBe('not_delivered');

      await bus.startJobs();
      let run = started.body;
      for (let i = 0; i < 300 && run.status !== 'done'; i++) {
        await sleep(100);
        run = (await viewer.get(`/admin/api/retry-runs/${started.body.id}`).expect(200)).body;
        expect(run.status).not.toBe('failed');
      }
      expect(run).toMatchObject({ status: 'done', total: 4, processed: 4, requeued: 4, progress: 1, finished_at: expect.any(Number) });
      await bus.drain();
      for (const id of ['lead-nd-2', 'lead-nd-3', 'lead-nd-4', 'lead-nd-5']) expect(await statusOf(id)).toBe('delivered');
      expect(await statusOf('buy-nd')).toBe('not_delivered');
      expect(bus.emulator.received().map((r) => r.event.event_id).sort()).toEqual(['lead-nd-2', 'lead-nd-3', 'lead-nd-4', 'lead-nd-5']);

      // Once done, the same filter starts a new run (nothing left to do).
      const later = await admin.post('/admin/api/events/retry-matching').send({ filter }).expect(202);
      expect(later.body).toMatchObject({ status: 'done', total: 0, progress: 1 });
      expect(later.body.id).not.toBe(started.body.id);
      const runs = await viewer.get('/admin/api/retry-runs').query({ sort: JSON.stringify(['id', 'ASC']) }).expect(200);
      expect(runs.headers['content-range']).toBe('retry-runs 0-1/2');
      expect(runs.body.map((r: { id: number }) => r.id)).toEqual([started.body.id, later.body.id]);
    });

    it('a viewer can read runs but not start one', async () => {
      await viewer.post('/admin/api/events/retry-matching').send({ filter: {} }).expect(403);
      await viewer.post('/admin/api/events/retry').send({ ids: [1] }).expect(403);
      await viewer.get('/admin/api/retry-runs/999').expect(404);
    });
  });
});
