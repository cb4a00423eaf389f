import { z } from 'zod';

/** Meta's production Graph API; tests and local development point GRAPH_API_URL at the emulator. */
export const META_GRAPH_URL = 'https://graph.facebook.com';

/** What `server/src/main.ts <mode>` runs: everything in one process, the API only, or the worker only. */
export const MODES = ['all', 'api', 'worker'] as const;
export type Mode = (typeof MODES)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const PORT_RULE = 'must be a TCP port number from 0 to 65535';
const port = () => z.coerce.number({ error: PORT_RULE }).int(PORT_RULE).min(0, PORT_RULE).max(65535, PORT_RULE);

const EnvSchema = z.object({
  PORT: port().default(3000),
  WORKER_PORT: port().default(3001),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .min(1)
    .default('sqlite:./data/bus.sqlite')
    .refine((v) => /^mysql2?:\/\/[^/]+\/\w+/.test(v) || !/^[a-z0-9+]+:\/\//i.test(v), 'must be mysql://user:pass@host:port/db or a SQLite file path'),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  GRAPH_API_URL: z.string().url('must be an http(s) URL').default(META_GRAPH_URL).transform((v) => v.replace(/\/+$/, '')),
  META_PIXEL_ID: z.string().regex(/^\d{5,20}$/, 'must be the numeric dataset (pixel) id').optional(),
  META_ACCESS_TOKEN: z.string().min(10, 'looks too short to be a Meta access token').optional(),
  META_TEST_EVENT_CODE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  APP_SECRET: z.string().min(16, 'must be at least 16 characters (it encrypts access tokens at rest)').optional(),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DELIVERY_POLL_MS: int(20, 60000).default(250),
  DELIVERY_CONCURRENCY: int(1, 64).default(4),
  LEASE_MS: int(1000, 3600000).default(60000),
  NODE_ENV: z.string().default('development'),
  ADMIN_EMAIL: z.email('must be an email address').max(191).optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters').optional(),
  SESSION_IDLE_HOURS: int(1, 24 * 30).default(12),
  SESSION_MAX_HOURS: int(1, 24 * 90).default(24 * 7),
  LOGIN_RATE_LIMIT: int(1, 10000).default(10),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  COLLECT_RATE_LIMIT: int(1, 1_000_000).default(300),
});

export type Config = ReturnType<typeof toConfig>;

/** Every environment variable the bus reads (docs and the docker-compose consistency test check against it). */
export const ENV_VARS = Object.keys(EnvSchema.shape) as ReadonlyArray<keyof typeof EnvSchema.shape>;

function toConfig(env: z.infer<typeof EnvSchema>) {
  return {
    port: env.PORT,
    /** Worker mode only: the listener for /healthz, /readyz and /metrics (the API port serves them otherwise). */
    workerPort: env.WORKER_PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    mongoUrl: env.MONGO_URL,
    graph: { url: env.GRAPH_API_URL },
    bootstrapPixel: env.META_PIXEL_ID
      ? { datasetId: env.META_PIXEL_ID, accessToken: env.META_ACCESS_TOKEN, testEventCode: env.META_TEST_EVENT_CODE }
      : undefined,
    appSecret: env.APP_SECRET,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL,
    delivery: { pollMs: env.DELIVERY_POLL_MS, concurrency: env.DELIVERY_CONCURRENCY, leaseMs: env.LEASE_MS },
    production: env.NODE_ENV === 'production',
    metricsToken: env.METRICS_TOKEN,
    collectRateLimitPerMinute: env.COLLECT_RATE_LIMIT,
    admin: {
      /** First admin, created at start-up when no user has this email. */
      bootstrap: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
      /** A session ends after this long without a request… */
      sessionIdleMs: env.SESSION_IDLE_HOURS * 3_600_000,
      /** …and at the latest this long after sign-in. */
      sessionMaxMs: env.SESSION_MAX_HOURS * 3_600_000,
      /** Failed sign-ins allowed per client IP per 15 minutes. */
      loginRateLimit: env.LOGIN_RATE_LIMIT,
    },
  };
}

/** Express's trust proxy: false, true, a hop count, or a comma list of addresses/subnets. */
function parseTrustProxy(v: string): boolean | number | string {
  if (['false', '0', ''].includes(v)) return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

export class ConfigError extends Error {}

/**
 * Parses the environment once. A missing or malformed setting throws ConfigError with one
 * line naming the variable and the rule, which main prints before exiting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  if (e.META_ACCESS_TOKEN && !e.META_PIXEL_ID) throw new ConfigError('Invalid configuration: META_PIXEL_ID is required when META_ACCESS_TOKEN is set');
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) throw new ConfigError('Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  if (e.NODE_ENV === 'production' && !e.APP_SECRET) throw new ConfigError('Invalid configuration: APP_SECRET is required when NODE_ENV=production');
  return toConfig(e);
}
