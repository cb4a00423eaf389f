import type { Server } from 'node:http';
import type { Agenda } from 'agenda';
import { resolveAppSecret } from './config/app-secret';
import { ConfigError, loadConfig, MODES, type Config, type Mode } from './config/config';
import { createLogger } from './shared/logger';
import { createDb, MIGRATIONS_DIR, migrateLatest } from './shared/db';
import { createContainer } from './container';
import { createApp } from './app';
import { createOpsApp } from './http/ops';
import { listen } from './http/server';
import { startAgenda } from './worker/agenda';

async function main(mode: Mode): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const db = createDb(config.databaseUrl);
  if (mode === 'all') {
    await migrateLatest(db);
  } else {
    const [, pending] = (await db.migrate.list({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts', '.js'] })) as [unknown[], unknown[]];
    if (pending.length) {
      process.stderr.write(`Database is not migrated: ${pending.length} migration(s) pending. Run: npm run migrate -- latest\n`);
      process.exit(1);
    }
  }
  const c = createContainer(config, logger, { db, appSecret: resolveAppSecret(config) });
  await c.pixels.bootstrap(config.bootstrapPixel);
  if (config.admin.bootstrap) {
    const outcome = await c.admin.users.ensureAdmin(config.admin.bootstrap.email, config.admin.bootstrap.password);
    if (outcome === 'exists') logger.info('the ADMIN_EMAIL user already exists; left unchanged');
  }

  let server: Server | undefined;
  let agenda: Agenda | undefined;
  let stopping = false;
  let delivering = false;
  const portOf = (s: Server) => {
    const addr = s.address();
    return typeof addr === 'object' && addr ? addr.port : undefined;
  };
  const jobStore = config.mongoUrl ? 'mongodb' : 'sql';
  if (mode === 'worker') {
    // A small listener of its own for health checks and the delivery metrics (no intake, no dashboard),
    // opened first so that a port conflict stops the worker before it claims anything.
    const ops = createOpsApp({
      db,
      mongoUrl: config.mongoUrl,
      metricsToken: config.metricsToken,
      metrics: c.metrics,
      logger,
      readinessChecks: {
        delivery_loop: () => {
          if (stopping) throw new Error('stopping');
          if (!delivering) throw new Error('starting');
        },
      },
    });
    server = await listen(ops, config.workerPort, config.host);
  }
  if (mode !== 'api') {
    agenda = await startAgenda({ mongoUrl: config.mongoUrl, db, deps: { events: c.events, settings: c.settings, deliverer: c.deliverer, logger, retryRuns: c.admin.retry } });
    c.admin.jobQueue.use(agenda); // admin retries enqueue through the started instance
    c.deliverer.start();
    delivering = true;
  }
  if (mode !== 'worker') {
    const app = createApp({ config, logger, db, intake: c.intake, apiKeys: c.apiKeys, admin: c.admin, metrics: c.metrics });
    server = await listen(app, config.port, config.host);
    logger.info({ mode, port: portOf(server), graph: config.graph.url, jobStore }, 'MetaConversions Bus ready');
  } else {
    logger.info({ mode, port: server ? portOf(server) : undefined, graph: config.graph.url, jobStore }, 'MetaConversions Bus worker ready');
  }

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests or claims, finishing batches in flight');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting (unfinished leases expire and are re-claimed)');
      process.exit(1);
    }, 25_000);
    timer.unref();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    await c.deliverer.stop();
    await agenda?.stop();
    await c.admin.jobQueue.close();
    c.http.close();
    await db.destroy();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const mode = (process.argv[2] ?? 'all') as Mode;
if (!MODES.includes(mode)) {
  process.stderr.write(`Unknown mode ${mode}: use ${MODES.join(', ')}\n`);
  process.exit(1);
}
main(mode).catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
