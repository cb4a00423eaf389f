import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { rateLimit } from 'express-rate-limit';
import type { Config } from './config/config';
import type { Logger } from './shared/logger';
import type { Db } from './shared/db';
import type { ApiKeyService } from './api-keys/service';
import type { IntakeService } from './events/service';
import { requireApiKey, requireCsrfHeader, requireRole, requireSession } from './auth/guards';
import type { AdminServices } from './admin';
import { adminRoutes } from './admin/routes';
import type { Guard, Route } from './http/routes';
import { browserIntake, collectCors, serverIntake } from './events/router';
import { errorHandler, notFound } from './http/errors';
import { opsRoutes, requireMetricsToken, serveTrackingScript } from './http/ops';
import { serveAdminSpa } from './http/spa';
import { requestLog } from './http/request-log';
import type { Metrics } from './observability/metrics';

export interface AppDeps {
  config: Pick<Config, 'trustProxy' | 'mongoUrl' | 'metricsToken' | 'collectRateLimitPerMinute'>;
  logger: Logger;
  db: Db;
  intake: IntakeService;
  apiKeys: ApiKeyService;
  /** Dashboard services (container.admin). */
  admin: AdminServices;
  metrics: Metrics;
  /** Built dashboard to serve under /admin (default admin-ui/dist). */
  adminUiDist?: string;
}

/** Builds the Express app from injected pieces; `main.ts` listens, tests use Supertest. */
export function createApp(deps: AppDeps) {
  const app = express();
  app.set('trust proxy', deps.config.trustProxy);
  app.disable('x-powered-by');
  app.set('etag', false); // API answers are not cached; static files carry their own ETags
  app.use(requestLog(deps.logger, deps.metrics));
  // The dashboard is the only HTML the bus serves: security headers and cookies where it lives,
  // not on the intake path (machine-to-machine JSON at thousands of requests a second).
  app.use('/admin', helmet(), cookieParser());

  const serverJson = express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] });
  const browserText = express.text({ limit: '64kb', type: () => true });
  const collectLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.config.collectRateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: { code: 'rate_limited', message: 'Too many events from this address; slow down', errors: { ip: 'rate limit exceeded' } },
  });

  const guards: Record<Guard, RequestHandler[]> = {
    public: [],
    apiKey: [requireApiKey(deps.apiKeys)],
    metrics: [requireMetricsToken(deps.config.metricsToken)],
    // Signed-in dashboard user (401 otherwise); state-changing methods need the CSRF header (403).
    viewer: [requireSession(deps.admin.auth), requireCsrfHeader],
    // Signed-in admin: 401 when signed out, 403 for a viewer.
    admin: [requireSession(deps.admin.auth), requireRole('admin'), requireCsrfHeader],
  };

  /** Every endpoint, one line each, with its guard. */
  const routes: Route[] = [
    // /healthz, /readyz, /metrics: the same three the worker's own listener serves.
    ...opsRoutes({ db: deps.db, mongoUrl: deps.config.mongoUrl, metricsToken: deps.config.metricsToken, metrics: deps.metrics }),
    { method: 'post', path: '/v1/events', guard: 'apiKey', handlers: [serverJson, serverIntake(deps.intake)] },
    { method: 'options', path: '/v1/collect', guard: 'public', handlers: [collectCors] },
    { method: 'post', path: '/v1/collect', guard: 'public', handlers: [collectCors, collectLimiter, cookieParser(), browserText, browserIntake(deps.intake)] },
    // Dashboard REST under /admin/api (server/src/admin/routes.ts: one line per endpoint with its guard).
    ...adminRoutes(deps.admin),
  ];
  for (const r of routes) app[r.method](r.path, ...guards[r.guard], ...r.handlers);
  // Static files, public by nature: the dashboard SPA (its data needs a session) and the tracking script.
  app.use(serveAdminSpa(deps.adminUiDist));
  app.use('/tracking', serveTrackingScript());

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return Object.assign(app, { routes });
}
