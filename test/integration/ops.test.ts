import request from 'supertest';
import { createApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config/config';
import { createContainer } from '../../server/src/container';
import { createDb } from '../../server/src/shared/db';
import { createLogger } from '../../server/src/shared/logger';
import { ACCESS_TOKEN, APP_SECRET, startBus, websiteEvent, type Bus } from '../helpers/harness';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('health, readiness, metrics and logs (MariaDB)', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus('mysql', { env: { METRICS_TOKEN } });
  });
  afterAll(async () => bus.stop());

  it('answers /healthz and /readyz when the database and migrations are fine', async () => {
    expect((await bus.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await bus.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', job_store: 'ok' } });
  });

  it('reports not ready (503) when the database is down; intake then answers a generic 500 logged with its request id', async () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:1/nowhere', APP_SECRET });
    const db = createDb(config.databaseUrl);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const c = createContainer(config, logger, { db, appSecret: APP_SECRET });
    const app = createApp({ config, logger, db, intake: c.intake, apiKeys: c.apiKeys, admin: c.admin, metrics: c.metrics });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not_ready');
    expect(res.body.checks.database).toMatch(/ECONNREFUSED|connect/);

    const intake = await request(app).post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).set('X-Request-Id', 'req-db-down-1').send(websiteEvent({ event_id: 'down_1' }));
    expect(intake.status).toBe(500);
    expect(intake.body).toEqual({ code: 'internal_error', message: expect.stringMatching(/logged/) });
    expect(intake.headers['x-request-id']).toBe('req-db-down-1');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'unhandled error');
    expect(logged).toEqual([expect.objectContaining({ reqId: 'req-db-down-1', method: 'POST', path: '/v1/events' })]);
    expect(lines.join('')).not.toContain(bus.apiKey);
    c.http.close();
    await db.destroy();
  });

  it('refuses /metrics without the token', async () => {
    expect((await bus.http.get('/metrics')).status).toBe(401);
    expect((await bus.http.get('/metrics').set('Authorization', 'Bearer wrong-token-0000000000')).status).toBe(401);
  });

  it('exposes intake, delivery, latency, queue and HTTP metrics after real traffic', async () => {
    const post = (data: unknown[]) => bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data });
    await post([websiteEvent({ event_name: 'Purchase', event_id: 'm_1', custom_data: { value: 1, currency: 'USD' } }), websiteEvent({ event_id: 'm_2' }), { event_name: '' }]);
    await post([websiteEvent({ event_id: 'm_2' })]);
    bus.emulator.configure({ failNext: [{ kind: 'meta', code: 4, isTransient: true }] });
    await bus.drain();
    await post([websiteEvent({ event_id: 'm_3' })]);
    const before = await bus.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(before.text).toMatch(/mcb_queue_depth\{status="queued"\} 1/);
    expect(before.text).toMatch(/mcb_queue_oldest_due_age_seconds\{status="queued"\} \d+(\.\d+)?\n/);
    expect(before.text).toMatch(/mcb_queue_oldest_due_age_seconds\{status="retrying"\} 0\n/); // backing off: not due yet
    await bus.testDb.db('events').where({ status: 'retrying' }).update({ next_attempt_at: Date.now() - 1 });
    await bus.drain();

    const res = await bus.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    const text = res.text;
    expect(text).toMatch(/mcb_events_intake_total\{source="server",event_name="Purchase",result="queued"\} 1/);
    expect(text).toMatch(/mcb_events_intake_total\{source="server",event_name="ViewContent",result="duplicate"\} 1/);
    expect(text).toMatch(/mcb_events_intake_total\{source="server",event_name="",result="rejected"\} 1/);
    expect(text).toMatch(/mcb_deliveries_total\{outcome="retrying",code="4"\} 2/);
    expect(text).toMatch(/mcb_deliveries_total\{outcome="delivered",code=""\} 3/);
    expect(text).toMatch(/mcb_delivery_latency_seconds_count 3/);
    expect(text).toMatch(/mcb_queue_depth\{status="queued"\} 0/);
    expect(text).toMatch(/mcb_pixels_paused 0/);
    expect(text).toMatch(/mcb_http_request_duration_seconds_count\{method="POST",route="\/v1\/events",status="202"\} 3/);
    expect(text).not.toContain('m_1'); // no ids in label values
  });

  it('logs one line per delivery batch and never a token, cookie, API key or raw PII', async () => {
    await bus.http
      .post('/v1/events')
      .set('Authorization', `Bearer ${bus.apiKey}`)
      .set('Cookie', 'mcb_session=super-secret-session-cookie')
      .send({ data: [websiteEvent({ event_id: 'log_1', user_data: { email: 'Leaky.Larry@Example.net', phone: '+1 415 555 0199', client_user_agent: 'UA' } })] });
    await bus.drain();
    const logs = bus.logs();
    const batch = logs.split('\n').filter((l) => l.includes('"delivery batch delivered"'));
    expect(batch.length).toBeGreaterThan(0);
    expect(JSON.parse(batch.at(-1)!)).toMatchObject({ component: 'delivery', outcome: 'delivered', count: 1, fbtraceId: expect.any(String) });
    for (const secret of [bus.apiKey, ACCESS_TOKEN, 'super-secret-session-cookie', 'Leaky.Larry', 'leaky.larry', '4155550199', METRICS_TOKEN]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('bootstraps META_PIXEL_ID once when several replicas start at the same moment', async () => {
    const boot = { datasetId: '5550001112223', accessToken: 'EAAreplica-token-9876' };
    const pixels = await Promise.all([bus.c.pixels.bootstrap(boot), bus.c.pixels.bootstrap(boot), bus.c.pixels.bootstrap(boot)]);
    expect(new Set(pixels.map((p) => p?.id)).size).toBe(1);
    expect(await bus.testDb.db('pixels').where({ dataset_id: '5550001112223' }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });
});
