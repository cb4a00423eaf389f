import crypto from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../shared/logger';
import { AppError, ValidationError } from '../shared/errors';
import { hashUserData } from '../user-data/hash';
import { TtlCache } from '../shared/ttl-cache';
import type { Metrics } from '../observability/metrics';
import type { DefinitionRepository, EventDefinition } from '../definitions/repository';
import type { Pixel, PixelRepository } from '../pixels/repository';
import type { NewEvent } from './repository';
import type { GroupCommitWriter } from './writer';
import {
  EventInputSchema,
  FBC_PATTERN,
  MAX_CLOCK_SKEW_S,
  MAX_EVENT_AGE_S,
  type IntakeStatus,
  type Source,
  type StoredEvent,
} from './schemas';

/** What the HTTP layer knows about the caller; browser intake fills user data gaps from it. */
export interface IntakeContext {
  source: Source;
  maxEvents: number;
  ip?: string;
  userAgent?: string;
  origin?: string;
  cookies?: { fbp?: string; fbc?: string };
}

export interface AcceptedResult {
  index: number;
  event_id: string;
  event_name: string;
  status: IntakeStatus;
  warnings?: string[];
}
export interface RejectedResult {
  index: number;
  message: string;
  errors: Record<string, string>;
}
export interface IntakeOutcome {
  accepted: number;
  rejected: number;
  data: AcceptedResult[];
  errors: RejectedResult[];
}

const EnvelopeSchema = z.object({
  data: z.array(z.unknown(), { error: 'must be an array of events' }),
  pixel_id: z.union([z.string(), z.number()]).transform(String).optional(),
});

class EventRejected extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(Object.entries(errors).map(([f, m]) => `${f}: ${m}`).join('; '));
  }
}

/** How long intake may use a pixel or event definition it read; changes made through this process apply at once. */
export const INTAKE_CACHE_TTL_MS = 1_000;

export interface IntakeDeps {
  pixels: PixelRepository;
  definitions: DefinitionRepository;
  writer: GroupCommitWriter;
  logger: Logger;
  now?: () => number;
  /** Called after a commit that queued events, so an in-process deliverer can send right away. */
  onQueued?: () => void;
  metrics?: Pick<Metrics, 'intake'>;
}

export class IntakeService {
  private readonly now: () => number;
  private readonly pixelCache = new TtlCache<string, Pixel[]>(INTAKE_CACHE_TTL_MS);
  private readonly definitionCache = new TtlCache<string, EventDefinition | undefined>(INTAKE_CACHE_TTL_MS);
  constructor(private readonly deps: IntakeDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Forget cached pixels and definitions (called when the dashboard changes them). */
  invalidate(): void {
    this.pixelCache.clear();
    this.definitionCache.clear();
  }

  private async definitionsFor(names: string[]): Promise<Map<string, EventDefinition>> {
    const out = new Map<string, EventDefinition>();
    const missing = names.filter((n) => !this.definitionCache.has(n));
    if (missing.length) {
      const found = this.deps.definitions.findByNames(missing);
      for (const n of missing) void this.definitionCache.get(n, async () => (await found).get(n));
    }
    for (const n of names) {
      const d = await this.definitionCache.get(n, () => this.deps.definitions.findByName(n));
      if (d) out.set(n, d);
    }
    return out;
  }

  /**
   * Validates, normalizes and hashes each event of a request, then commits the valid ones
   * together. Each valid event is accepted, each invalid one is reported by index; the whole
   * request fails only when its envelope is unusable. Resolves after the commit.
   */
  async ingest(body: unknown, ctx: IntakeContext): Promise<IntakeOutcome> {
    const { items, pixelId } = this.unwrap(body, ctx.maxEvents);
    const nowMs = this.now();
    const pixel = await this.defaultPixelResolver(pixelId);
    const names = [...new Set(items.map((i) => (i && typeof i === 'object' ? (i as { event_name?: unknown }).event_name : undefined)).filter((n): n is string => typeof n === 'string'))];
    const definitions = await this.definitionsFor(names.map((n) => n.trim()));

    const errors: RejectedResult[] = [];
    const prepared: Array<{ index: number; event: NewEvent; warnings: string[] }> = [];
    for (const [index, item] of items.entries()) {
      try {
        const p = await pixel(item);
        if (ctx.source === 'browser') this.checkOrigin(p, ctx.origin);
        const { payload, warnings } = this.prepare(item, ctx, nowMs);
        const status = await this.statusFor(payload.event_name, ctx.source, definitions);
        prepared.push({ index, event: { pixelId: p.id, payload, source: ctx.source, status }, warnings });
      } catch (err) {
        if (err instanceof EventRejected) errors.push({ index, message: err.message, errors: err.errors });
        else if (err instanceof AppError && err.status < 500) errors.push({ index, message: err.message, errors: err.errors ?? {} });
        else throw err;
      }
    }

    const written = await this.deps.writer.write(prepared.map((p) => p.event));
    const data = prepared.map((p, i): AcceptedResult => {
      const status: IntakeStatus = written[i] === 'duplicate' ? 'duplicate' : p.event.status;
      return { index: p.index, event_id: p.event.payload.event_id, event_name: p.event.payload.event_name, status, ...(p.warnings.length ? { warnings: p.warnings } : {}) };
    });
    if (data.some((d) => d.status === 'queued')) this.deps.onQueued?.();
    const counter = this.deps.metrics?.intake;
    if (counter) {
      for (const d of data) counter.inc({ source: ctx.source, event_name: d.event_name, result: d.status });
      if (errors.length) counter.inc({ source: ctx.source, event_name: '', result: 'rejected' }, errors.length);
    }
    return { accepted: data.length, rejected: errors.length, data, errors };
  }

  private unwrap(body: unknown, maxEvents: number): { items: unknown[]; pixelId?: string } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new ValidationError('The body must be one event object or { "data": [events] }', { body: 'must be a JSON object' });
    }
    if (!('data' in body)) return { items: [body] };
    const env = EnvelopeSchema.safeParse(body);
    if (!env.success) throw new ValidationError('data must be an array of events', { data: 'must be an array of events' });
    if (env.data.data.length === 0) throw new ValidationError('data must contain at least one event', { data: 'must contain at least one event' });
    if (env.data.data.length > maxEvents) {
      throw new AppError(413, 'too_many_events', `At most ${maxEvents} events per request`, { data: `must contain at most ${maxEvents} events (got ${env.data.data.length})` });
    }
    const extra = Object.keys(body).filter((k) => k !== 'data' && k !== 'pixel_id');
    if (extra.length) throw new ValidationError(`Unknown field ${extra[0]}`, { [extra[0]!]: 'is not a recognised field (allowed beside data: pixel_id)' });
    return { items: env.data.data, pixelId: env.data.pixel_id };
  }

  /** Resolves each event's pixel: its own pixel_id, else the request's, else the only pixel configured. */
  private async defaultPixelResolver(requestPixelId?: string): Promise<(item: unknown) => Promise<Pixel>> {
    const all = await this.pixelCache.get('all', () => this.deps.pixels.list());
    const lookup = async (datasetId: string) => all.find((p) => p.datasetId === datasetId);
    let only: Pixel | undefined | null = null;
    return async (item) => {
      const own = item && typeof item === 'object' ? (item as { pixel_id?: unknown }).pixel_id : undefined;
      const id = own !== undefined ? String(own) : requestPixelId;
      if (id !== undefined) {
        const p = await lookup(id);
        if (!p) throw new EventRejected({ pixel_id: `unknown pixel ${id.slice(0, 32)}` });
        if (!p.enabled) throw new EventRejected({ pixel_id: `pixel ${p.datasetId} is disabled` });
        return p;
      }
      if (only === null) {
        only = all.length === 1 ? all[0] : undefined;
        if (!all.length) throw new EventRejected({ pixel_id: 'no pixel is configured yet (set META_PIXEL_ID or add one in the dashboard)' });
      }
      if (!only) throw new EventRejected({ pixel_id: 'is required when more than one pixel is configured' });
      if (!only.enabled) throw new EventRejected({ pixel_id: `pixel ${only.datasetId} is disabled` });
      return only;
    };
  }

  private checkOrigin(pixel: Pixel, origin: string | undefined): void {
    if (pixel.allowedOrigins.includes('*')) return;
    if (!origin) throw new AppError(403, 'origin_not_allowed', 'Browser intake needs an Origin header', { origin: 'is required for browser intake' });
    if (!pixel.allowedOrigins.includes(origin)) {
      throw new AppError(403, 'origin_not_allowed', `Origin ${origin} is not allowed for pixel ${pixel.datasetId}`, { origin: `${origin.slice(0, 200)} is not in the pixel's allowed origins` });
    }
  }

  private prepare(item: unknown, ctx: IntakeContext, nowMs: number): { payload: StoredEvent; warnings: string[] } {
    const parsed = EventInputSchema.safeParse(item);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path.length ? issue.path.join('.') : 'event';
        const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
        errors[issue.code === 'unrecognized_keys' ? issue.keys[0]! : field] ??= message;
      }
      throw new EventRejected(errors);
    }
    const e = parsed.data;
    const errors: Record<string, string> = {};
    const nowS = Math.floor(nowMs / 1000);
    const eventTime = e.event_time ?? nowS;
    if (eventTime < nowS - MAX_EVENT_AGE_S) errors.event_time = 'is more than 7 days old; Meta does not accept it';
    else if (eventTime > nowS + MAX_CLOCK_SKEW_S) errors.event_time = 'is in the future';

    const actionSource = ctx.source === 'browser' ? 'website' : (e.action_source ?? 'website');
    const rawUser: Record<string, unknown> = { ...(e.user_data ?? {}) };
    if (ctx.source === 'browser') {
      rawUser.client_ip_address ??= ctx.ip;
      rawUser.client_user_agent ??= ctx.userAgent;
      rawUser.fbp ??= ctx.cookies?.fbp;
      rawUser.fbc ??= ctx.cookies?.fbc ?? fbcFromUrl(e.event_source_url, nowMs);
    }
    for (const k of Object.keys(rawUser)) if (rawUser[k] === undefined || rawUser[k] === null || rawUser[k] === '') delete rawUser[k];
    if (typeof rawUser.fbc === 'string' && !FBC_PATTERN.test(rawUser.fbc.trim())) errors['user_data.fbc'] = 'must look like fb.1.<timestamp ms>.<fbclid>';
    const { userData, dropped, unknownKeys } = hashUserData(rawUser);
    for (const k of unknownKeys) errors[`user_data.${k}`] = 'is not a customer information parameter Meta accepts';
    const warnings = dropped.map((k) => `user_data.${k}: value not usable after normalization, dropped`);

    if (actionSource === 'website') {
      if (!userData.client_user_agent) errors['user_data.client_user_agent'] = 'is required when action_source is website';
      if (!e.event_source_url) errors.event_source_url = 'is required when action_source is website';
    }
    if (Object.keys(userData).length === 0 && !errors['user_data.client_user_agent']) {
      errors.user_data = 'needs at least one customer information parameter (em, ph, external_id, fbp, fbc, client_ip_address with client_user_agent, …)';
    }
    if (e.event_name === 'Purchase') {
      if (e.custom_data?.currency === undefined) errors['custom_data.currency'] = 'is required for Purchase (ISO 4217 code such as USD)';
      if (e.custom_data?.value === undefined) errors['custom_data.value'] = 'is required for Purchase (a non-negative number)';
    }
    if (Object.keys(errors).length) throw new EventRejected(errors);

    const payload: StoredEvent = {
      event_name: e.event_name,
      event_time: eventTime,
      event_id: e.event_id ?? crypto.randomUUID(),
      action_source: actionSource,
      user_data: userData as StoredEvent['user_data'],
      ...(e.event_source_url !== undefined && { event_source_url: e.event_source_url }),
      ...(e.referrer_url !== undefined && { referrer_url: e.referrer_url }),
      ...(e.opt_out !== undefined && { opt_out: e.opt_out }),
      ...(e.custom_data !== undefined && { custom_data: e.custom_data }),
      ...(e.data_processing_options !== undefined && { data_processing_options: e.data_processing_options }),
      ...(e.data_processing_options_country !== undefined && { data_processing_options_country: e.data_processing_options_country }),
      ...(e.data_processing_options_state !== undefined && { data_processing_options_state: e.data_processing_options_state }),
    };
    return { payload, warnings };
  }

  /**
   * Enabled definition → queued, disabled → skipped (stored, never sent). An unknown name from a
   * backend service registers a custom event (enabled); browsers may only send defined events.
   */
  private async statusFor(name: string, source: Source, definitions: Map<string, EventDefinition>): Promise<'queued' | 'skipped'> {
    let def = definitions.get(name);
    if (!def) {
      if (source === 'browser') throw new EventRejected({ event_name: `${name} is not a defined event; add it as a custom event first` });
      def = (await this.deps.definitions.findByName(name)) ?? (await this.createCustom(name));
      definitions.set(name, def);
      this.definitionCache.clear();
    }
    return def.enabled ? 'queued' : 'skipped';
  }

  private async createCustom(name: string): Promise<EventDefinition> {
    try {
      const def = await this.deps.definitions.create({ name, description: 'Custom event, registered at first intake.' });
      this.deps.logger.info({ eventName: name }, 'custom event registered');
      return def;
    } catch (err) {
      const again = await this.deps.definitions.findByName(name); // a concurrent request created it
      if (again) return again;
      throw err;
    }
  }
}

/** Meta's fbc format built from an fbclid in the page URL; the fbclid is kept exactly as given. */
export function fbcFromUrl(url: string | undefined, nowMs: number): string | undefined {
  const fbclid = url ? /[?&]fbclid=([^&#]+)/.exec(url)?.[1] : undefined;
  return fbclid ? `fb.1.${nowMs}.${fbclid}` : undefined;
}
