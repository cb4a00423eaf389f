import { EventRequest } from 'facebook-nodejs-business-sdk';
import type { Logger } from '../shared/logger';
import type { SecretBox } from '../shared/crypto';
import type { EventRecord, EventRepository } from '../events/repository';
import { MAX_EVENT_AGE_S } from '../events/schemas';
import { activeTestEventCode, type Pixel, type PixelRepository } from '../pixels/repository';
import type { SettingsRepository } from '../settings/repository';
import type { Settings } from '../settings/schema';
import type { GraphHttpService } from './graph-client';
import { backoffMs, classify, type Classification, type GraphResponse } from './meta-errors';
import { toServerEvent } from './server-event';
import type { Metrics } from '../observability/metrics';

/** How often the delivery loop looks beyond fresh events (retries due, expired leases). */
const WIDE_CLAIM_EVERY_MS = 1000;
/**
 * Claims that may run at once. A claim is a transaction of its own (a 1000-row SELECT … FOR
 * UPDATE SKIP LOCKED and UPDATE), and under a backlog one at a time left the database and the
 * worker partly idle while batches waited for their turn; a second one skips the rows the first
 * holds. SQLite runs them one after the other anyway.
 */
const CLAIMERS = 2;

export interface DelivererDeps {
  events: EventRepository;
  pixels: PixelRepository;
  settings: SettingsRepository;
  secrets: SecretBox;
  http: GraphHttpService;
  logger: Logger;
  /** Unique per process: leases are taken in its name. */
  owner: string;
  leaseMs: number;
  concurrency: number;
  pollMs: number;
  now?: () => number;
  metrics?: Pick<Metrics, 'deliveries' | 'latency' | 'graphRequest'>;
}

export interface BatchOutcome {
  pixelId: number;
  count: number;
  outcome: 'delivered' | 'retrying' | 'not_delivered' | 'failed' | 'paused' | 'expired' | 'split';
  fbtraceId: string | null;
  code?: number | null;
}

/**
 * Claims due events with a lease, sends them per pixel in batches of up to `batchSize` through
 * the SDK, and records each outcome. Runs as a loop that idles at `pollMs` and can be woken by
 * intake in the same process; several processes may run it against one MySQL database.
 */
export class Deliverer {
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private pumped: Promise<void> = Promise.resolve();
  private claiming = 0;
  private lastWideClaim = -Infinity;
  private rerun = false;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly deps: DelivererDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.logger.child({ component: 'delivery' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Claims now instead of waiting for the next poll (intake calls this after a commit). */
  wake(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.rerun = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pumped = this.pump();
  }

  /** Stops claiming, waits for batches in flight to be recorded. Unsent claims are released. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pumped; // a claim under way hands its batches over first
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** One claim-and-send round outside the loop (sweep job, tests). Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(this.groups(claimed, (await this.deps.settings.get()).batchSize).map(([pixelId, events]) => this.deliverGroup(pixelId, events)));
    return claimed.length;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.rerun = false;
        const loops = await Promise.allSettled(Array.from({ length: CLAIMERS }, () => this.claimLoop()));
        const failed = loops.find((l) => l.status === 'rejected');
        if (failed) throw failed.reason;
      } while (this.rerun && this.running);
    } catch (err) {
      this.log.error({ err }, 'claiming due events failed; retrying at the next poll');
    } finally {
      this.pumping = false;
      if (this.running && !this.timer) this.timer = setTimeout(() => this.wake(), this.deps.pollMs);
    }
  }

  /** Claims and hands batches to senders while fewer than `concurrency` are in flight or being claimed. */
  private async claimLoop(): Promise<void> {
    while (this.running && this.inFlight.size + this.claiming < this.deps.concurrency) {
      this.claiming++;
      let claimed: EventRecord[];
      try {
        claimed = await this.claim(false);
      } finally {
        this.claiming--;
      }
      if (!claimed.length) return;
      const settings = await this.deps.settings.get();
      for (const [pixelId, events] of this.groups(claimed, settings.batchSize)) {
        const p: Promise<void> = this.deliverGroup(pixelId, events)
          .catch((err: unknown) => this.log.error({ err }, 'delivery batch crashed; its events stay leased and will be re-claimed'))
          .finally(() => {
            this.inFlight.delete(p);
            this.wake();
          });
        this.inFlight.add(p);
      }
    }
  }

  /**
   * Claims due events. `wide` also looks for retries that came due and leases that ran out; the
   * delivery loop does that at most once a second and otherwise claims fresh events alone: under
   * a full backlog, scanning the other two statuses on every claim cost MariaDB about a quarter of
   * its work per delivered event (~30 µs; `npm run bench`). A second is nothing next to a retry's
   * backoff or a lease, and the merge by due time still puts an older retry first.
   */
  private async claim(wide = true): Promise<EventRecord[]> {
    const settings = await this.deps.settings.get();
    const now = this.now();
    const queuedOnly = !wide && now - this.lastWideClaim < WIDE_CLAIM_EVERY_MS;
    if (!queuedOnly) this.lastWideClaim = now;
    return this.deps.events.claimDue({
      now,
      limit: settings.batchSize,
      owner: this.deps.owner,
      leaseMs: this.deps.leaseMs,
      excludePixelIds: await this.deps.pixels.pausedIds(),
      queuedOnly,
    });
  }

  private groups(events: EventRecord[], batchSize: number): Array<[number, EventRecord[]]> {
    const byPixel = new Map<number, EventRecord[]>();
    for (const e of events) {
      const list = byPixel.get(e.pixelId);
      if (list) list.push(e);
      else byPixel.set(e.pixelId, [e]);
    }
    const out: Array<[number, EventRecord[]]> = [];
    for (const [pixelId, list] of byPixel) for (let i = 0; i < list.length; i += batchSize) out.push([pixelId, list.slice(i, i + batchSize)]);
    return out;
  }

  private async deliverGroup(pixelId: number, events: EventRecord[]): Promise<void> {
    const settings = await this.deps.settings.get();
    this.deps.http.timeoutMs = settings.requestTimeoutMs;
    const pixel = await this.deps.pixels.findById(pixelId);
    const owner = this.deps.owner;
    if (!pixel) return; // deleted meanwhile: its events went with it (cascade)

    const oldest = Math.floor(this.now() / 1000) - MAX_EVENT_AGE_S + 60;
    const expired = events.filter((e) => e.eventTime < oldest);
    if (expired.length) {
      await this.deps.events.recordOutcome(expired.map((e) => e.id), owner, { status: 'expired', nextAttemptAt: null, errorMessage: 'Older than Meta’s 7-day window; not sent' }, null);
      this.report({ pixelId, count: expired.length, outcome: 'expired', fbtraceId: null });
    }
    let live = events.filter((e) => e.eventTime >= oldest);
    if (!live.length) return;

    const sealed = await this.deps.pixels.sealedToken(pixelId);
    if (!sealed) {
      await this.pause(pixel, 'No access token is configured for this pixel', live);
      return;
    }
    const token = this.deps.secrets.open(sealed);

    // One value the SDK refuses must not lose the batch: that event fails on its own.
    const built: Array<{ record: EventRecord; event: ReturnType<typeof toServerEvent> }> = [];
    for (const record of live) {
      try {
        built.push({ record, event: toServerEvent(record.payload) });
      } catch (err) {
        const message = `The SDK refused the event: ${(err as Error).message}`.slice(0, 500);
        await this.deps.events.recordOutcome([record.id], owner, { status: 'failed', nextAttemptAt: null, errorCode: null, errorMessage: message }, attemptRow('failed', null, message, 0, 1));
      }
    }
    live = built.map((b) => b.record);
    if (!live.length) return;
    await this.send(pixel, token, built, settings);
  }

  private async send(pixel: Pixel, token: string, batch: Array<{ record: EventRecord; event: ReturnType<typeof toServerEvent> }>, settings: Settings): Promise<void> {
    const owner = this.deps.owner;
    const ids = batch.map((b) => b.record.id);
    const testCode = activeTestEventCode(pixel, this.now());
    const request = new EventRequest(token, pixel.datasetId, batch.map((b) => b.event), null, testCode);
    request.setHttpService(this.deps.http);
    let response: GraphResponse;
    try {
      response = (await request.execute()) as unknown as GraphResponse;
    } catch (err) {
      // The SDK refused the request before sending (it validates in execute()): treat it as a
      // permanent rejection, so a batch is split and only the offending event fails.
      response = { httpStatus: 400, body: { error: { message: `The SDK refused the request: ${(err as Error).message}`.slice(0, 500), code: null } }, durationMs: 0 };
    }
    const c = classify(response);
    const at = this.now();
    this.deps.metrics?.graphRequest.observe({ outcome: c.kind }, response.durationMs / 1000);
    const row = (outcome: BatchOutcome['outcome'], cl: Classification) =>
      cl.kind === 'delivered'
        ? attemptRow(outcome, response.httpStatus, null, response.durationMs, batch.length, cl.fbtraceId)
        : { ...attemptRow(outcome, response.httpStatus, cl.message, response.durationMs, batch.length, cl.fbtraceId), errorCode: cl.code, errorSubcode: cl.subcode, isTransient: cl.isTransient };

    if (c.kind === 'delivered') {
      await this.deps.events.recordOutcome(ids, owner, { status: 'delivered', nextAttemptAt: null, fbtraceId: c.fbtraceId, deliveredAt: at, errorCode: null, errorSubcode: null, errorMessage: null }, row('delivered', c));
      this.report({ pixelId: pixel.id, count: ids.length, outcome: 'delivered', fbtraceId: c.fbtraceId });
      for (const b of batch) this.deps.metrics?.latency.observe(Math.max(0, at - b.record.createdAt) / 1000);
      return;
    }
    const err = { errorCode: c.code, errorSubcode: c.subcode, errorMessage: c.message, fbtraceId: c.fbtraceId };
    if (c.kind === 'token') {
      await this.deps.pixels.pause(pixel.id, `Meta rejected the access token (code ${c.code}): ${c.message}`);
      // Parked with the pixel's other waiting events (no next attempt) until the token is replaced.
      await this.deps.events.recordOutcome(ids, owner, { status: 'queued', nextAttemptAt: null, refundAttempt: true, ...err }, row('paused', c));
      this.log.warn({ pixel: pixel.datasetId, code: c.code, fbtraceId: c.fbtraceId }, 'access token rejected: pixel paused until the token is replaced');
      this.report({ pixelId: pixel.id, count: ids.length, outcome: 'paused', fbtraceId: c.fbtraceId, code: c.code });
      return;
    }
    if (c.kind === 'permanent' && batch.length > 1) {
      // Meta rejects a whole batch for one bad event: split so only that event fails.
      await this.deps.events.addAttempts(ids, row('split', c));
      this.report({ pixelId: pixel.id, count: ids.length, outcome: 'split', fbtraceId: c.fbtraceId });
      const mid = Math.ceil(batch.length / 2);
      await this.send(pixel, token, batch.slice(0, mid), settings);
      await this.send(pixel, token, batch.slice(mid), settings);
      return;
    }
    if (c.kind === 'permanent') {
      await this.deps.events.recordOutcome(ids, owner, { status: 'failed', nextAttemptAt: null, ...err }, row('failed', c));
      this.report({ pixelId: pixel.id, count: ids.length, outcome: 'failed', fbtraceId: c.fbtraceId, code: c.code });
      return;
    }
    // Transient: back off per event by its attempt count, or give up when the policy is spent.
    const byAttempts = new Map<number, number[]>();
    for (const b of batch) {
      const group = byAttempts.get(b.record.attempts);
      if (group) group.push(b.record.id);
      else byAttempts.set(b.record.attempts, [b.record.id]);
    }
    for (const [attempts, group] of byAttempts) {
      const exhausted = attempts >= settings.retry.maxAttempts;
      const status = exhausted ? 'not_delivered' : 'retrying';
      await this.deps.events.recordOutcome(group, owner, { status, nextAttemptAt: exhausted ? null : at + backoffMs(attempts, settings.retry), ...err }, row(status, c));
      this.report({ pixelId: pixel.id, count: group.length, outcome: status, fbtraceId: c.fbtraceId, code: c.code });
    }
  }

  private async pause(pixel: Pixel, reason: string, events: EventRecord[]): Promise<void> {
    // Released first, so that pausing parks them with the pixel's other waiting events.
    await this.deps.events.release(events.map((e) => e.id), this.deps.owner);
    await this.deps.pixels.pause(pixel.id, reason);
    this.log.warn({ pixel: pixel.datasetId }, reason);
    this.report({ pixelId: pixel.id, count: events.length, outcome: 'paused', fbtraceId: null });
  }

  /** One machine-readable log line per batch (the old integration's "event sent successfully"), and metrics. */
  private report(o: BatchOutcome): void {
    const level = o.outcome === 'delivered' || o.outcome === 'split' ? 'info' : 'warn';
    this.log[level]({ pixelId: o.pixelId, count: o.count, outcome: o.outcome, fbtraceId: o.fbtraceId, ...(o.code != null && { code: o.code }) }, `delivery batch ${o.outcome}`);
    if (o.outcome !== 'split') this.deps.metrics?.deliveries.inc({ outcome: o.outcome, code: o.code == null ? '' : String(o.code) }, o.count);
  }
}

function attemptRow(outcome: BatchOutcome['outcome'], httpStatus: number | null, message: string | null, durationMs: number, batchSize: number, fbtraceId: string | null = null) {
  return { attemptedAt: Date.now(), outcome, httpStatus, errorCode: null, errorSubcode: null, isTransient: null, message, fbtraceId, durationMs, batchSize };
}
