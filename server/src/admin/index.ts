import type { Db } from '../shared/db';
import type { Logger } from '../shared/logger';
import type { ApiKeyService } from '../api-keys/service';
import type { DefinitionRepository } from '../definitions/repository';
import type { EventRepository } from '../events/repository';
import { EventQueryRepository } from '../events/query-repository';
import type { IntakeService } from '../events/service';
import type { PixelRepository } from '../pixels/repository';
import type { PixelService } from '../pixels/service';
import type { SettingsRepository } from '../settings/repository';
import { AuthService } from '../auth/service';
import { SessionRepository } from '../auth/session-repository';
import { UserRepository } from '../users/repository';
import { UserService } from '../users/service';
import { StatsService } from '../stats/service';
import { ApiKeyAdminService } from './api-keys';
import { DefinitionAdminService } from './definitions';
import { EventAdminService } from './events';
import { AgendaJobQueue } from './job-queue';
import { PixelAdminService } from './pixels';
import { RetryRunRepository } from './retry-run-repository';
import { RetryService } from './retry-service';
import { SettingsAdminService } from './settings';

export type AdminServices = ReturnType<typeof createAdminServices>;

/** The dashboard's services, built by the container from the shared repositories. */
export function createAdminServices(d: {
  db: Db;
  logger: Logger;
  mongoUrl?: string;
  session: { idleMs: number; maxMs: number };
  loginRateLimit: number;
  events: EventRepository;
  definitions: DefinitionRepository;
  pixelRepo: PixelRepository;
  pixels: PixelService;
  settings: SettingsRepository;
  apiKeys: ApiKeyService;
  intake: IntakeService;
  /** Wakes an in-process deliverer after re-queueing. */
  onRequeued: () => void;
}) {
  const logger = d.logger.child({ component: 'admin' });
  const userRepo = new UserRepository(d.db);
  const sessions = new SessionRepository(d.db);
  const eventQuery = new EventQueryRepository(d.db);
  const jobQueue = new AgendaJobQueue({ mongoUrl: d.mongoUrl, db: d.db });
  return {
    options: { sessionMaxMs: d.session.maxMs, loginRateLimit: d.loginRateLimit },
    jobQueue,
    auth: new AuthService(userRepo, sessions, d.logger, { idleMs: d.session.idleMs, maxMs: d.session.maxMs }),
    users: new UserService(userRepo, sessions, d.logger),
    events: new EventAdminService(eventQuery),
    retry: new RetryService({ events: d.events, query: eventQuery, runs: new RetryRunRepository(d.db), queue: jobQueue, logger: d.logger, onRequeued: d.onRequeued }),
    definitions: new DefinitionAdminService(d.definitions, eventQuery, logger, () => d.intake.invalidate()),
    pixels: new PixelAdminService({ repo: d.pixelRepo, pixels: d.pixels, intake: d.intake, events: d.events }),
    apiKeys: new ApiKeyAdminService(d.apiKeys, logger),
    settings: new SettingsAdminService(d.settings, logger),
    stats: new StatsService(eventQuery, d.pixelRepo),
  };
}
