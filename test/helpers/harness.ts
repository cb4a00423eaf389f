import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../server/src/config/config';
import { createLogger } from '../../server/src/shared/logger';
import { createContainer, type Container } from '../../server/src/container';
import { createApp } from '../../server/src/app';
import { createGraphEmulator, type GraphEmulator } from '../../server/src/emulator/emulator';
import type { Settings } from '../../server/src/settings/schema';
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
  stop(): Promise<void>;
}

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
  const app = createApp({ config, logger, db: testDb.db, intake: c.intake, apiKeys: c.apiKeys });
  return {
    c,
    app,
    http: request(app),
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
    async stop() {
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
