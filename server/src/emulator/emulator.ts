/**
 * Local emulator of Meta's Conversions API endpoint (`POST /v{N}.{M}/{pixel_id}/events`).
 *
 * Tests, benchmarks and local development point `GRAPH_API_URL` here. It validates each
 * batch the way Meta does (whole request rejected on the first bad event, index named in
 * `error_user_msg`), answers with Meta's success / Graph error shapes, records accepted
 * events, and can inject failures (5xx, Meta error codes, hung requests, HTML 502s).
 * The same controls are served over HTTP under `/__emulator/*` for child-process use.
 */
import { randomBytes } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { listen as listenHttp } from '../http/server';

const failureSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http500') }),
  z.object({ kind: z.literal('timeout') }),
  z.object({ kind: z.literal('non_json_502') }),
  z.object({
    kind: z.literal('meta'),
    code: z.number().int(),
    subcode: z.number().int().optional(),
    isTransient: z.boolean().optional(),
    message: z.string().optional(),
    httpStatus: z.number().int().min(100).max(599).optional(),
  }),
]);

const failureConfigSchema = z
  .object({
    latencyMs: z.number().min(0),
    failNext: z.array(failureSchema),
    failProbability: z.number().min(0).max(1),
    failWith: failureSchema,
    rejectEventIds: z.array(z.string()),
  })
  .partial()
  .strict();

export type Failure = z.infer<typeof failureSchema>;
export type FailureConfig = Required<z.infer<typeof failureConfigSchema>>;

export interface AcceptedEvent {
  pixelId: string;
  event: Record<string, unknown>;
  fbtraceId: string;
  receivedAt: string; // ISO time
  testEventCode?: string;
}

export interface RequestLog {
  pixelId: string;
  count: number; // events in the batch (0 when `data` could not be read)
  status: number; // HTTP status answered; 0 while a `timeout` failure holds the request; -1 when the caller left before processing
  errorCode?: number; // Graph error code, when the answer was a Graph error
  fbtraceId: string;
  at: string; // ISO time the request arrived
}

export interface GraphEmulatorOptions {
  latencyMs?: number;
  /** 'any' (default): any non-empty token is valid. */
  validAccessTokens?: string[] | 'any';
  /**
   * How many accepted events to keep for `received()` and GET /__emulator/events, the newest
   * (default: all). A long-running emulator, or a benchmark's, would otherwise keep every event
   * it was ever sent; the counts in GET /__emulator/stats cover all of them either way.
   */
  keepEvents?: number;
}

export interface GraphEmulator {
  app: Express;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
  received(): AcceptedEvent[];
  requests(): RequestLog[];
  /** Replaces the given fields (a new `failNext` replaces the queue). */
  configure(f: Partial<FailureConfig>): void;
  /** Clears received events, the request log and failure config (latency back to the option). */
  reset(): void;
}

interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id: string;
}

type Event = Record<string, unknown>;

const MAX_EVENTS = 1000;
const MAX_AGE_SECONDS = 7 * 24 * 3600;
const MAX_FUTURE_SECONDS = 5 * 60;
const SUBCODE_TOO_OLD = 2804003;
const SUBCODE_IN_FUTURE = 2804004;
const SUBCODE_INVALID = 2804019;

const ACTION_SOURCES = new Set([
  'email', 'website', 'app', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other',
]);
const HASHED_FIELDS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'] as const;
const UNHASHED_FIELDS = ['client_ip_address', 'client_user_agent', 'fbc', 'fbp'] as const;
const OTHER_CUSTOMER_FIELDS = [
  'subscription_id', 'fb_login_id', 'lead_id', 'anon_id', 'madid', 'page_id', 'page_scoped_user_id', 'ctwa_clid',
  'ig_account_id', 'ig_sid',
] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const FBC_FORMAT = /^fb\.\d\.\d+\..+$/;
const VERSION = /^v\d+\.\d+$/;

/** Defaults Meta uses for the codes tests usually inject. */
const META_DEFAULTS: Record<number, { message: string; transient: boolean; subcode?: number }> = {
  1: { message: 'An unknown error occurred', transient: true },
  2: { message: 'An unexpected error has occurred. Please retry your request later.', transient: true },
  4: { message: '(#4) Application request limit reached', transient: true },
  17: { message: '(#17) User request limit reached', transient: true },
  100: { message: '(#100) Invalid parameter', transient: false, subcode: SUBCODE_INVALID },
  190: { message: 'Error validating access token: Session has expired.', transient: false, subcode: 463 },
  80003: { message: '(#80003) There have been too many calls. Wait a bit and try again.', transient: true },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPresent = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
const newTraceId = (): string => randomBytes(8).toString('base64url'); // 11 chars, like Meta's

/** Reads `data` (array, or a JSON string of one); returns a message when it cannot. */
function readData(data: unknown): Event[] | string {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'The parameter data must be a JSON array of events';
    }
  }
  if (value === undefined || value === null) return 'The parameter data is required';
  if (!Array.isArray(value)) return 'The parameter data must be an array of events';
  if (value.length === 0) return 'The parameter data must contain at least one event';
  return value as Event[];
}

interface Invalid { title: string; detail: string; subcode: number }
const invalid = (detail: string, title = 'Invalid parameter', subcode = SUBCODE_INVALID): Invalid => ({ title, detail, subcode });

function checkUserData(ud: Record<string, unknown>, website: boolean): Invalid | null {
  const hasCustomerInfo = [...HASHED_FIELDS, ...UNHASHED_FIELDS, ...OTHER_CUSTOMER_FIELDS].some((k) => isPresent(ud[k]));
  if (!hasCustomerInfo) return invalid('user_data must contain at least one customer information parameter', 'Missing user data');
  for (const field of HASHED_FIELDS) {
    const v = ud[field];
    if (v === undefined || v === null) continue;
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (!values.every((x) => typeof x === 'string' && SHA256_HEX.test(x))) {
      return invalid(`user_data.${field} must be SHA-256 hashed (64 lowercase hex characters)`, 'Unhashed user data');
    }
  }
  for (const field of UNHASHED_FIELDS) {
    const v = ud[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return invalid(`user_data.${field} must be a string`);
    if (SHA256_HEX.test(v)) return invalid(`user_data.${field} must not be hashed`, 'Hashed parameter must not be hashed');
  }
  if (typeof ud.fbc === 'string' && !FBC_FORMAT.test(ud.fbc)) {
    return invalid('user_data.fbc must have the format fb.<subdomain index>.<creation time>.<fbclid>', 'Invalid fbc');
  }
  if (website && !isPresent(ud.client_user_agent)) {
    return invalid('user_data.client_user_agent is required for action_source website', 'Missing client_user_agent');
  }
  return null;
}

function checkEvent(e: unknown, nowSec: number): Invalid | null {
  if (!isRecord(e)) return invalid('the event must be an object');
  if (typeof e.event_name !== 'string' || e.event_name === '') return invalid('event_name is required', 'Missing event_name');
  const t = typeof e.event_time === 'number' ? e.event_time
    : typeof e.event_time === 'string' && /^\d+$/.test(e.event_time) ? Number(e.event_time) : Number.NaN;
  if (!Number.isInteger(t)) return invalid('event_time must be an integer unix timestamp in seconds', 'Invalid event_time');
  if (t < nowSec - MAX_AGE_SECONDS) {
    return invalid('event_time is more than 7 days in the past', 'Event Timestamp Too Old', SUBCODE_TOO_OLD);
  }
  if (t > nowSec + MAX_FUTURE_SECONDS) {
    return invalid('event_time is too far in the future', 'Event Timestamp In Future', SUBCODE_IN_FUTURE);
  }
  if (typeof e.action_source !== 'string' || !ACTION_SOURCES.has(e.action_source)) {
    return invalid(`action_source must be one of ${[...ACTION_SOURCES].join(', ')}`, 'Invalid action_source');
  }
  const website = e.action_source === 'website';
  if (website && (typeof e.event_source_url !== 'string' || e.event_source_url === '')) {
    return invalid('event_source_url is required for action_source website', 'Missing event_source_url');
  }
  if (!isRecord(e.user_data)) return invalid('user_data is required', 'Missing user data');
  return checkUserData(e.user_data, website);
}

function accessToken(req: Request, body: Record<string, unknown>): string {
  if (typeof body.access_token === 'string') return body.access_token;
  if (typeof req.query.access_token === 'string') return req.query.access_token;
  const auth = req.headers.authorization;
  return auth ? auth.replace(/^(Bearer|OAuth)\s+/i, '') : '';
}

export function createGraphEmulator(opts: GraphEmulatorOptions = {}): GraphEmulator {
  const baseLatency = opts.latencyMs ?? 0;
  const tokens = opts.validAccessTokens === undefined || opts.validAccessTokens === 'any'
    ? 'any' : new Set(opts.validAccessTokens);
  const initialConfig = (): FailureConfig => ({
    latencyMs: baseLatency, failNext: [], failProbability: 0, failWith: { kind: 'http500' }, rejectEventIds: [],
  });
  let config = initialConfig();
  let rejectIds = new Set<string>();
  const keep = opts.keepEvents ?? Infinity;
  let accepted: AcceptedEvent[] = [];
  let acceptedTotal = 0;
  let log: RequestLog[] = [];
  let server: Server | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<ServerResponse>();

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  const configure = (f: Partial<FailureConfig>): void => {
    config = { ...config, ...f, failNext: [...(f.failNext ?? config.failNext)] };
    rejectIds = new Set(config.rejectEventIds);
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '20mb' }));
  app.use(express.urlencoded({ extended: false, limit: '20mb', parameterLimit: 10_000 }));

  // Controls (test / benchmark use only).
  app.get('/__emulator/events', (req, res) => {
    const pixel = req.query.pixel;
    res.json({ data: typeof pixel === 'string' ? accepted.filter((e) => e.pixelId === pixel) : accepted });
  });
  app.get('/__emulator/requests', (_req, res) => { res.json({ data: log }); });
  /** Counts only: cheap enough to poll while a benchmark runs. */
  app.get('/__emulator/stats', (_req, res) => { res.json({ events: acceptedTotal, requests: log.length }); });
  app.post('/__emulator/configure', (req, res) => {
    const parsed = failureConfigSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ message: 'Invalid emulator configuration', errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    configure(parsed.data);
    res.json({ config });
  });
  app.post('/__emulator/reset', (_req, res) => { emulator.reset(); res.json({ ok: true }); });

  // The Conversions API endpoint.
  app.post('/:version/:pixelId/events', async (req: Request<{ version: string; pixelId: string }>, res: Response, next: NextFunction) => {
    if (!VERSION.test(req.params.version)) { next(); return; }
    const pixelId = req.params.pixelId;
    const fbtraceId = newTraceId();
    const at = new Date().toISOString();
    const body = isRecord(req.body) ? req.body : {};
    const data = readData(body.data);
    const count = Array.isArray(data) ? data.length : 0;
    const entry: RequestLog = { pixelId, count, status: 0, fbtraceId, at };
    log.push(entry);

    const answer = (status: number, payload: object | string, errorCode?: number) => {
      entry.status = status;
      if (errorCode !== undefined) entry.errorCode = errorCode;
      res.status(status).setHeader('x-fb-trace-id', fbtraceId);
      if (typeof payload === 'string') res.type('html').send(payload);
      else res.json(payload);
    };
    const fail = (status: number, err: Omit<GraphError, 'fbtrace_id'>) => answer(status, { error: { ...err, fbtrace_id: fbtraceId } }, err.code);
    const invalidParam = (message: string, title: string, userMsg: string, subcode = SUBCODE_INVALID) =>
      fail(400, { message, type: 'OAuthException', code: 100, error_subcode: subcode, is_transient: false, error_user_title: title, error_user_msg: userMsg });

    // Failures are drawn on arrival so concurrent requests consume `failNext` in order.
    const failure = config.failNext.shift()
      ?? (config.failProbability > 0 && Math.random() < config.failProbability ? config.failWith : undefined);
    if (failure?.kind === 'timeout') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (config.latencyMs > 0) await sleep(config.latencyMs);
    // A caller that went away while the request waited (a worker killed mid-send) is treated
    // as a request that never reached processing: nothing is recorded as accepted.
    if (res.destroyed || req.socket.destroyed) {
      entry.status = -1;
      return;
    }

    if (failure?.kind === 'http500') {
      fail(500, { message: 'An unknown error occurred', type: 'OAuthException', code: 1, is_transient: true });
      return;
    }
    if (failure?.kind === 'non_json_502') {
      answer(502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    if (failure?.kind === 'meta') {
      const d = META_DEFAULTS[failure.code];
      const subcode = failure.subcode ?? d?.subcode;
      fail(failure.httpStatus ?? 400, {
        message: failure.message ?? d?.message ?? `(#${failure.code}) Simulated error`,
        type: 'OAuthException',
        code: failure.code,
        ...(subcode !== undefined ? { error_subcode: subcode } : {}),
        is_transient: failure.isTransient ?? d?.transient ?? false,
      });
      return;
    }

    const token = accessToken(req, body);
    if (token === '' || (tokens !== 'any' && !tokens.has(token))) {
      const message = token === '' ? 'An access token is required to request this resource.'
        : 'Invalid OAuth access token - Cannot parse access token';
      fail(400, { message, type: 'OAuthException', code: 190, is_transient: false });
      return;
    }
    if (typeof data === 'string') {
      invalidParam(`(#100) ${data}`, 'Invalid parameter', data);
      return;
    }
    if (data.length > MAX_EVENTS) {
      const msg = `A request may contain at most ${MAX_EVENTS} events; this one has ${data.length}`;
      invalidParam(`(#100) param data must be an array of maximum size ${MAX_EVENTS}`, 'Too many events', msg);
      return;
    }
    const nowSec = Math.floor(Date.now() / 1000);
    for (let i = 0; i < data.length; i++) {
      const problem = checkEvent(data[i], nowSec);
      if (problem) {
        invalidParam('(#100) Invalid parameter', problem.title, `Event at index ${i}: ${problem.detail}`, problem.subcode);
        return;
      }
    }
    if (rejectIds.size > 0) {
      const i = data.findIndex((e) => e.event_id !== undefined && e.event_id !== null && rejectIds.has(String(e.event_id)));
      if (i >= 0) {
        invalidParam('(#100) Invalid parameter', 'Event rejected', `Event at index ${i}: event_id ${String(data[i]?.event_id)} was rejected`);
        return;
      }
    }

    const receivedAt = new Date().toISOString();
    const testEventCode = typeof body.test_event_code === 'string' && body.test_event_code !== '' ? body.test_event_code : undefined;
    acceptedTotal += data.length;
    for (const event of keep >= data.length ? data : data.slice(data.length - keep)) {
      accepted.push(testEventCode === undefined
        ? { pixelId, event, fbtraceId, receivedAt }
        : { pixelId, event, fbtraceId, receivedAt, testEventCode });
    }
    if (accepted.length > keep) accepted.splice(0, accepted.length - keep);
    answer(200, { events_received: data.length, messages: [], fbtrace_id: fbtraceId });
  });

  // Anything else: Graph's "unsupported request"; unreadable bodies: invalid parameter.
  app.use((req: Request, res: Response) => {
    res.status(400).json({ error: {
      message: `Unsupported ${req.method.toLowerCase()} request.`, type: 'GraphMethodException', code: 100,
      error_subcode: 33, is_transient: false, fbtrace_id: newTraceId(),
    } });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = isRecord(err) && typeof err.status === 'number' && err.status < 500 ? 400 : 500;
    const message = status === 400 ? '(#100) The request body could not be read' : 'An unknown error occurred';
    res.status(status).json({ error: {
      message, type: 'OAuthException', code: status === 400 ? 100 : 1, is_transient: status === 500, fbtrace_id: newTraceId(),
    } });
  });

  const emulator: GraphEmulator = {
    app,
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('Graph emulator is already listening');
      const srv = await listenHttp(app, port, host);
      srv.keepAliveTimeout = 65_000; // longer than typical client agents' idle timeouts
      srv.headersTimeout = 66_000;
      server = srv;
      const address = srv.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${actual}`, port: actual };
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of held) res.socket?.destroy();
      held.clear();
      const srv = server;
      server = undefined;
      if (!srv) return;
      await new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      });
    },
    received: () => accepted.slice(),
    requests: () => log.slice(),
    configure,
    reset() {
      accepted = [];
      acceptedTotal = 0;
      log = [];
      config = initialConfig();
      rejectIds = new Set();
    },
  };
  return emulator;
}
