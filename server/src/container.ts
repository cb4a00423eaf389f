import crypto from 'node:crypto';
import os from 'node:os';
import type { Config } from './config/config';
import type { Logger } from './shared/logger';
import { createDb, type Db } from './shared/db';
import { SecretBox } from './shared/crypto';
import { PixelRepository } from './pixels/repository';
import { PixelService } from './pixels/service';
import { DefinitionRepository } from './definitions/repository';
import { SettingsRepository } from './settings/repository';
import { ApiKeyRepository } from './api-keys/repository';
import { ApiKeyService } from './api-keys/service';
import { EventRepository } from './events/repository';
import { GroupCommitWriter } from './events/writer';
import { IntakeService } from './events/service';
import { GraphHttpService, prepareSdk } from './delivery/graph-client';
import { Deliverer } from './delivery/deliverer';
import { createAdminServices } from './admin';
import { createMetrics } from './observability/metrics';

export type Container = ReturnType<typeof createContainer>;

/** The composition root's pieces, built once from config; main, scripts and tests share it. */
export function createContainer(config: Config, logger: Logger, opts: { db?: Db; appSecret: string }) {
  prepareSdk();
  const db = opts.db ?? createDb(config.databaseUrl);
  const secrets = new SecretBox(opts.appSecret);
  const pixelRepo = new PixelRepository(db);
  const definitions = new DefinitionRepository(db);
  const settings = new SettingsRepository(db);
  const events = new EventRepository(db);
  const apiKeys = new ApiKeyService(new ApiKeyRepository(db));
  const pixels = new PixelService(pixelRepo, secrets, logger);
  const http = new GraphHttpService(config.graph.url);
  const metrics = createMetrics(async () => ({ ...(await events.queueStats(Date.now())), pausedPixels: (await pixelRepo.pausedIds()).length }));
  const deliverer = new Deliverer({
    events,
    pixels: pixelRepo,
    settings,
    secrets,
    http,
    logger,
    owner: `${os.hostname().slice(0, 40)}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`,
    leaseMs: config.delivery.leaseMs,
    concurrency: config.delivery.concurrency,
    pollMs: config.delivery.pollMs,
    metrics,
  });
  const writer = new GroupCommitWriter(events);
  // In-process delivery starts right after commit; in an API-only process the deliverer is not running and this is a no-op.
  const intake = new IntakeService({ pixels: pixelRepo, definitions, writer, logger: logger.child({ component: 'intake' }), onQueued: () => deliverer.wake(), metrics });
  // Dashboard: sign-in, users, admin REST services, retry runs and stats.
  const admin = createAdminServices({
    db,
    logger,
    mongoUrl: config.mongoUrl,
    session: { idleMs: config.admin.sessionIdleMs, maxMs: config.admin.sessionMaxMs },
    loginRateLimit: config.admin.loginRateLimit,
    events,
    definitions,
    pixelRepo,
    pixels,
    settings,
    apiKeys,
    intake,
    onRequeued: () => deliverer.wake(),
  });
  return { config, logger, db, secrets, pixelRepo, pixels, definitions, settings, events, apiKeys, http, deliverer, writer, intake, admin, metrics };
}
