import crypto from 'node:crypto';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { MongoClient } from 'mongodb';
import { MIGRATIONS_DIR, type Db } from '../shared/db';
import { UnauthorizedError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../observability/metrics';
import { errorHandler, notFound } from './errors';
import { requestLog } from './request-log';
import type { Guard, Route } from './routes';

/** Liveness: the process is up and its event loop answers. */
export const healthHandler: RequestHandler = (_req, res) => void res.json({ status: 'ok' });

/** `Authorization: Bearer <METRICS_TOKEN>`; without a configured token, metrics stay closed. */
export function requireMetricsToken(token: string | undefined): RequestHandler {
  const expected = token ? crypto.createHash('sha256').update(token).digest() : undefined;
  return (req, _res, next) => {
    if (!expected) return next(new UnauthorizedError('Metrics are disabled: set METRICS_TOKEN and send it as a Bearer token'));
    const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const ok = crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected);
    next(ok ? undefined : new UnauthorizedError('A valid metrics token is required'));
  };
}

export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

/** An extra readiness check: resolves when fine, throws (or rejects) with a short reason otherwise. */
export type ReadinessCheck = () => void | Promise<void>;

/**
 * Readiness: the database answers, its migrations are current, and the job store answers
 * (MongoDB when configured; otherwise the job store is the same database); plus any checks the
 * process adds (the worker adds `delivery_loop`).
 */
export function readinessHandler(db: Db, mongoUrl: string | undefined, extraChecks: Record<string, ReadinessCheck> = {}): RequestHandler {
  let migrationsOkUntil = 0;
  let mongo: MongoClient | undefined;
  const check = async (name: string, fn: () => Promise<void>): Promise<[string, string]> => {
    try {
      await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
      return [name, 'ok'];
    } catch (err) {
      return [name, (err as Error).message.slice(0, 200)];
    }
  };
  return async (_req, res) => {
    const results = await Promise.all([
      check('database', async () => void (await db.raw('select 1'))),
      check('migrations', async () => {
        if (Date.now() < migrationsOkUntil) return;
        const [, pending] = (await db.migrate.list({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] })) as [unknown[], unknown[]];
        if (pending.length) throw new Error(`${pending.length} pending: run npm run migrate -- latest`);
        migrationsOkUntil = Date.now() + 30_000;
      }),
      check('job_store', async () => {
        if (!mongoUrl) return; // Agenda runs on the database checked above
        mongo ??= new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 1500 });
        await mongo.db().command({ ping: 1 });
      }),
      ...Object.entries(extraChecks).map(([name, fn]) => check(name, async () => fn())),
    ]);
    const checks = Object.fromEntries(results);
    const ready = results.every(([, v]) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  };
}

export interface OpsDeps {
  db: Db;
  mongoUrl: string | undefined;
  metricsToken: string | undefined;
  metrics: Metrics;
  readinessChecks?: Record<string, ReadinessCheck>;
}

/** The operations endpoints, one line each with its guard; the API mounts the same three. */
export function opsRoutes(deps: OpsDeps): Route[] {
  return [
    { method: 'get', path: '/healthz', guard: 'public', handlers: [healthHandler] },
    { method: 'get', path: '/readyz', guard: 'public', handlers: [readinessHandler(deps.db, deps.mongoUrl, deps.readinessChecks)] },
    { method: 'get', path: '/metrics', guard: 'metrics', handlers: [metricsHandler(deps.metrics)] },
  ];
}

/**
 * The worker's own small HTTP listener (WORKER_PORT): /healthz, /readyz and /metrics only, so the
 * delivery metrics recorded in the worker process can be scraped and its health checked. No intake,
 * no dashboard. Requests go through the same request log as the API's (health checks and scrapes at
debug level, so they do not drown the log).
 */
export function createOpsApp(deps: OpsDeps & { logger: Logger }) {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(deps.logger, deps.metrics));
  const guards: Partial<Record<Guard, RequestHandler[]>> = { public: [], metrics: [requireMetricsToken(deps.metricsToken)] };
  const routes = opsRoutes(deps);
  for (const r of routes) {
    const guard = guards[r.guard];
    if (!guard) throw new Error(`The ops listener has no ${r.guard} guard (route ${r.path})`);
    app[r.method](r.path, ...guard, ...r.handlers);
  }
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return Object.assign(app, { routes });
}

/** `tracking-client/dist` of this checkout (what `npm run build:tracking` writes). */
export const DEFAULT_TRACKING_DIST = path.resolve(__dirname, '../../../tracking-client/dist');

/** The tracking client's script-tag build, so `data-endpoint` can default to the bus's own origin. */
export function serveTrackingScript(distDir = DEFAULT_TRACKING_DIST): RequestHandler {
  return express.static(distDir, { index: false, maxAge: '1h', fallthrough: true });
}
