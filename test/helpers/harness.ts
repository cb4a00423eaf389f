import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../server/src/config/config';
import { createLogger } from '../../server/src/shared/logger';
import { createContainer, type Container } from '../../server/src/container';
import { createApp } from '../../server/src/app';
import { createHttpServer } from '../../server/src/http/server';
import { createGraphEmulator, type GraphEmulator } from '../../server/src/emulator/emulator';
import type { Settings } from '../../server/src/settings/schema';
import type { Agenda } from 'agenda';
import { startAgenda } from '../../server/src/worker/agenda';
import type { Role } from '../../server/src/users/repository';
import { createTestDb, type TestDb, type TestDialect } from './db';

export const PIXEL_ID = '1234567890123';
export const ACCESS_TOKEN = 'EAAtest-not-a-real-token-123456789';
export const APP_SECRET = 'test-app-secret-0123456789abcdef';

export interface Bus {
  c: Container;
  app: ReturnType<typeof createApp>;
  http: ReturnType<typeof request>;
  emulator: GraphEmulator;
  emulatorUrl: string;
  testDb: TestDb;
  apiKey: string;
  /** Everything logged so far (JSON lines), for redaction assertions. */
  logs(): string;
  /** Delivers until nothing is due now (deterministic alternative to the background loop). */
  drain(): Promise<number>;
  /**
   * A dashboard user of this role (created if the email is new, password ADMIN_TEST_PASSWORD) signed
   * in through `POST /admin/api/auth/login`: a Supertest agent that keeps the session cookie and
   * sends the CSRF header the SPA sends.
   */
  login(role: Role, email?: string): Promise<AdminAgent>;
  /** Starts the worker's Agenda (job registry of server/src/worker/jobs.ts) on the test database; stopped by stop(). */
  startJobs(): Promise<Agenda>;
  stop(): Promise<void>;
}

export const ADMIN_TEST_PASSWORD = 'correct horse battery staple';
export type AdminAgent = ReturnType<typeof request.agent>;

/**
 * The whole bus in-process on a fresh database of the given dialect, delivering to a real
 * Graph API emulator over HTTP through the real SDK.
 */
export async function startBus(dialect: TestDialect, opts: { settings?: Partial<Settings>; env?: Record<string, string>; emulatorLatencyMs?: number } = {}): Promise<Bus> {
  const testDb = await createTestDb(dialect);
  const emulator = createGraphEmulator({ latencyMs: opts.emulatorLatencyMs ?? 0 });
  const { url: emulatorUrl } = await emulator.listen(0);
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    GRAPH_API_URL: emulatorUrl,
    META_PIXEL_ID: PIXEL_ID,
    META_ACCESS_TOKEN: ACCESS_TOKEN,
    APP_SECRET,
    DELIVERY_POLL_MS: '50',
    ...opts.env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  const c = createContainer(config, logger, { db: testDb.db, appSecret: APP_SECRET });
  await c.pixels.bootstrap(config.bootstrapPixel);
  if (opts.settings) await c.settings.save({ ...(await c.settings.get()), ...opts.settings });
  const { key } = await c.apiKeys.create('test');
  const app = createApp({ config, logger, db: testDb.db, intake: c.intake, apiKeys: c.apiKeys, admin: c.admin, metrics: c.metrics });
  // Served as main.ts serves it (createHttpServer); Supertest listens on a free port per request.
  const server = createHttpServer(app);
  let agenda: Agenda | undefined;
  return {
    c,
    app,
    http: request(server),
    emulator,
    emulatorUrl,
    testDb,
    apiKey: key,
    logs: () => lines.join(''),
    async drain() {
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = await c.deliverer.runOnce();
      return total;
    },
    async login(role, email = `${role}@example.com`) {
      const users = c.admin.users;
      const existing = await users.list({ filter: { email }, sort: { field: 'id', order: 'asc' }, range: { start: 0, end: 0 } });
      if (!existing.rows.length) await users.create({ email, password: ADMIN_TEST_PASSWORD, role });
      const agent = request.agent(server).set('X-Requested-With', 'XMLHttpRequest');
      await agent.post('/admin/api/auth/login').send({ email, password: ADMIN_TEST_PASSWORD }).expect(200);
      return agent;
    },
    async startJobs() {
      agenda ??= await startAgenda({ db: testDb.db, processEvery: 100, deps: { events: c.events, settings: c.settings, deliverer: c.deliverer, logger, retryRuns: c.admin.retry } });
      c.admin.jobQueue.use(agenda);
      return agenda;
    },
    async stop() {
      await agenda?.stop();
      await c.admin.jobQueue.close();
      await c.deliverer.stop();
      c.http.close();
      await emulator.close();
      await testDb.drop();
    },
  };
}

/** A valid website event as the existing site sends it; override any field. */
export function websiteEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'ViewContent',
    event_time: Math.floor(Date.now() / 1000),
    action_source: 'website',
    event_source_url: 'https://shop.example.com/product/1',
    user_data: { email: 'Jane.Roe@Example.com', client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)', client_ip_address: '203.0.113.9' },
    ...overrides,
  };
}
