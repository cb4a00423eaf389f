import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { isDuplicateKeyError } from '../shared/db';
import { maskSecret } from '../shared/crypto';
import type { Pixel, PixelFilter, PixelRepository } from '../pixels/repository';
import { PIXEL_SORTABLE, activeTestEventCode } from '../pixels/repository';
import type { PixelService } from '../pixels/service';
import type { IntakeService } from '../events/service';
import type { EventRepository } from '../events/repository';
import type { User } from '../users/repository';
import { currentUser } from '../auth/guards';
import { booleanFilter, idFilter, many, parseListQuery, sendList, timestamp, type ListQuery, type ListSpec } from './list-query';
import { parseBody, parseId } from './http';
import type { PixelRecord, TestEventResult } from './records';

/** The API record of a pixel. The access token is write-only: only `access_token_hint` (`…last4`) is shown. */
export function pixelRecord(p: Pixel, now = Date.now()): PixelRecord {
  return {
    id: p.id,
    dataset_id: p.datasetId,
    name: p.name,
    enabled: p.enabled,
    allowed_origins: p.allowedOrigins,
    test_event_code: p.testEventCode,
    test_event_code_expires_at: p.testEventCodeExpiresAt,
    test_event_code_active: activeTestEventCode(p, now) !== null,
    has_access_token: p.hasAccessToken,
    access_token_hint: p.accessTokenLast4 ? maskSecret(p.accessTokenLast4) : null,
    paused: p.pausedAt !== null,
    paused_reason: p.pausedReason,
    paused_at: p.pausedAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

const datasetId = z.string({ error: 'is required' }).trim().regex(/^\d{5,20}$/, 'must be the numeric dataset (pixel) id, 5 to 20 digits');
const name = z.string({ error: 'is required' }).trim().min(1, 'is required').max(191, 'must be at most 191 characters');
/** Never echoed back in an error message. Also checks the token `npm run pixel -- set-token` reads. */
export const accessToken = z
  .string({ error: 'must be text' })
  .trim()
  .min(10, 'looks too short to be a Meta access token')
  .max(1000, 'looks too long to be a Meta access token')
  .regex(/^\S+$/, 'must not contain spaces');
const origin = z.string({ error: 'must be text' }).transform((v, ctx) => {
  const s = v.trim();
  if (s === '*') return s;
  try {
    const u = new URL(s);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password) return u.origin;
  } catch {
    /* fall through */
  }
  ctx.addIssue({ code: 'custom', message: 'must be an origin such as https://shop.example.com, or * for any' });
  return z.NEVER;
});
const allowedOrigins = z.array(origin, { error: 'must be a list of origins' }).max(50, 'must list at most 50 origins');
const testEventCode = z
  .union([z.string().trim().regex(/^[A-Za-z0-9_-]{0,64}$/, 'must be Meta’s test event code (letters, digits, _ and -, at most 64)'), z.null()], { error: 'must be text or null' })
  .transform((v) => (v ? v : null));
const expiresAt = z.union([timestamp('until'), z.null()], { error: 'must be epoch milliseconds, an ISO 8601 date or null' });
const enabled = z.boolean({ error: 'must be true or false' });
const optionalToken = z
  .union([accessToken, z.literal(''), z.null()])
  .optional()
  .transform((v) => v || undefined);

/** Also validates `npm run pixel -- add` (scripts/pixel.ts). */
export const CreatePixel = z.strictObject({
  dataset_id: datasetId,
  name: name.optional(),
  access_token: optionalToken,
  allowed_origins: allowedOrigins.optional(),
  enabled: enabled.optional(),
  test_event_code: testEventCode.optional(),
  test_event_code_expires_at: expiresAt.optional(),
});
/** Every create field optional (an empty or absent access_token leaves the token as it is), plus `paused`. */
const UpdatePixel = CreatePixel.partial().extend({ paused: z.boolean({ error: 'must be true or false' }).optional() });
const READ_ONLY = ['id', 'test_event_code_active', 'has_access_token', 'access_token_hint', 'paused_reason', 'paused_at', 'created_at', 'updated_at'] as const;

const listSpec: ListSpec<PixelFilter> = {
  sortable: Object.keys(PIXEL_SORTABLE),
  defaultSort: { field: 'name', order: 'asc' },
  filter: z
    .strictObject({ id: idFilter.optional(), dataset_id: z.string().max(32).optional(), q: z.string().max(191).optional(), enabled: booleanFilter.optional(), paused: booleanFilter.optional() })
    .transform((f) => ({ ...f, id: many(f.id) })),
};

/** Pixels for the dashboard; tokens go in sealed and never come out. */
export class PixelAdminService {
  constructor(
    private readonly deps: { repo: PixelRepository; pixels: PixelService; intake: IntakeService; events: EventRepository },
  ) {}

  list(q: ListQuery<PixelFilter>) {
    return this.deps.repo.listPage(q);
  }

  async get(id: number): Promise<Pixel> {
    const pixel = await this.deps.repo.findById(id);
    if (!pixel) throw new NotFoundError(`No pixel #${id}`);
    return pixel;
  }

  async create(input: z.infer<typeof CreatePixel>): Promise<Pixel> {
    if (await this.deps.repo.findByDatasetId(input.dataset_id)) throw new ConflictError(`Pixel ${input.dataset_id} already exists`, { dataset_id: 'already exists' });
    try {
      const created = await this.deps.pixels.create({
        datasetId: input.dataset_id,
        name: input.name ?? `Pixel ${input.dataset_id}`,
        accessToken: input.access_token,
        allowedOrigins: input.allowed_origins,
        enabled: input.enabled,
        testEventCode: input.test_event_code,
        testEventCodeExpiresAt: input.test_event_code_expires_at,
      });
      this.deps.intake.invalidate(); // intake in this process sees the new pixel at once
      return created;
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`Pixel ${input.dataset_id} already exists`, { dataset_id: 'already exists' });
      throw err;
    }
  }

  async update(id: number, input: z.infer<typeof UpdatePixel>, actor: User): Promise<Pixel> {
    const current = await this.get(id);
    if (input.dataset_id !== undefined && input.dataset_id !== current.datasetId) {
      throw new ValidationError('The dataset id of a pixel cannot change; create another pixel', { dataset_id: 'cannot be changed' });
    }
    const updated = await this.deps.pixels.update(
      id,
      {
        name: input.name,
        accessToken: input.access_token,
        allowedOrigins: input.allowed_origins,
        enabled: input.enabled,
        testEventCode: input.test_event_code,
        testEventCodeExpiresAt: input.test_event_code_expires_at,
        paused: input.paused,
      },
      actor.email,
    );
    this.deps.intake.invalidate(); // origins, enabled: effective for the next intake request here
    if (!updated) throw new NotFoundError(`No pixel #${id}`);
    return updated;
  }

  /**
   * Sends a PageView for this pixel through the normal pipeline (intake → queue → delivery), marked
   * with an event id `mcb-test-…`. Meta shows it under Test events when a test event code is active.
   */
  async sendTestEvent(id: number): Promise<TestEventResult> {
    const pixel = await this.get(id);
    const eventId = `mcb-test-${crypto.randomUUID()}`;
    const site = pixel.allowedOrigins.find((o) => o !== '*') ?? 'https://example.com';
    const outcome = await this.deps.intake.ingest(
      {
        pixel_id: pixel.datasetId,
        event_name: 'PageView',
        event_id: eventId,
        action_source: 'website',
        event_source_url: `${site}/?mcb_test_event=1`,
        user_data: { external_id: 'mcb-test-event', client_user_agent: 'MetaConversionsBus/test-event' },
      },
      { source: 'server', maxEvents: 1 },
    );
    const accepted = outcome.data[0];
    if (!accepted) {
      const rejected = outcome.errors[0];
      throw new AppError(409, 'test_event_refused', `The test event was refused: ${rejected?.message ?? 'unknown reason'}`, rejected?.errors);
    }
    const row = await this.deps.events.findByKey(pixel.id, 'PageView', eventId);
    const active = pixelRecord(pixel).test_event_code_active;
    const warnings: string[] = [];
    if (!active) warnings.push('No test event code is active on this pixel: Meta counts this PageView as a real event.');
    if (accepted.status === 'skipped') warnings.push('PageView is disabled, so the test event was stored as skipped and not sent.');
    if (pixel.pausedAt !== null) warnings.push('Delivery for this pixel is paused; the event waits until the pause is lifted.');
    if (!pixel.hasAccessToken) warnings.push('This pixel has no access token yet; the event cannot be delivered.');
    return { id: row?.id ?? null, pixel_id: pixel.id, event_id: eventId, event_name: 'PageView', status: accepted.status, test_event_code: active ? pixel.testEventCode : null, warnings };
  }
}

export function pixelsRouter(service: PixelAdminService) {
  const list: RequestHandler = async (req, res) => {
    const q = parseListQuery(req.query, listSpec);
    const page = await service.list(q);
    sendList(res, 'pixels', q.range, { rows: page.rows.map((p) => pixelRecord(p)), total: page.total });
  };
  const get: RequestHandler = async (req, res) => {
    res.json(pixelRecord(await service.get(parseId(req.params.id))));
  };
  const create: RequestHandler = async (req, res) => {
    res.status(201).json(pixelRecord(await service.create(parseBody(req.body, CreatePixel))));
  };
  const update: RequestHandler = async (req, res) => {
    res.json(pixelRecord(await service.update(parseId(req.params.id), parseBody(req.body, UpdatePixel, READ_ONLY), currentUser(res))));
  };
  const testEvent: RequestHandler = async (req, res) => {
    res.status(202).json(await service.sendTestEvent(parseId(req.params.id)));
  };
  return { list, get, create, update, testEvent };
}
