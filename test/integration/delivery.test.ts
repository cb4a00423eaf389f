import crypto from 'node:crypto';
import { EventQueryRepository } from '../../server/src/events/query-repository';
import { DIALECTS } from '../helpers/db';
import { ACCESS_TOKEN, PIXEL_ID, startBus, websiteEvent, type Bus } from '../helpers/harness';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

describe.each(DIALECTS)('delivery on %s', (dialect) => {
  let bus: Bus;
  beforeAll(async () => {
    // Backoff of 1 ms so retries are due immediately; 3 attempts in the policy.
    bus = await startBus(dialect, { settings: { retry: { maxAttempts: 3, baseBackoffMs: 100, maxBackoffMs: 1000 } } });
  });
  afterAll(async () => bus.stop());
  beforeEach(() => bus.emulator.reset());

  const post = (data: unknown[]) => bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data }).expect(202);
  const row = (eventId: string) => bus.testDb.db('events').where({ event_id: eventId }).first();
  const attempts = async (eventId: string) => new EventQueryRepository(bus.testDb.db).attempts(Number((await row(eventId)).id));
  type Sent = { event: { event_id: string; user_data: Record<string, unknown>; custom_data?: Record<string, unknown> }; fbtraceId: string; testEventCode?: string };
  const sent = () => bus.emulator.received() as unknown as Sent[];
  const received = (eventId: string) => sent().filter((r) => r.event.event_id === eventId);
  /** Makes retrying events due now, instead of waiting out the backoff. */
  const dueNow = () => bus.testDb.db('events').where({ status: 'retrying' }).update({ next_attempt_at: Date.now() - 1 });

  it('delivers each seed event type with Meta-normalized hashes checked against independent SHA-256', async () => {
    await post([
      websiteEvent({ event_name: 'CompleteRegistration', event_id: 'registration_501', user_data: { email: 'New.User@Example.org', first_name: 'Ana-María', last_name: "O'Neil", client_user_agent: 'UA', external_id: 'user-501' } }),
      websiteEvent({ event_name: 'Contact', event_id: 'contact_1', user_data: { phone: '+49 (0) 30 1234-5678', client_user_agent: 'UA' } }),
      websiteEvent({ event_name: 'Purchase', event_id: 'purchase_501', custom_data: { value: 59.99, currency: 'USD', content_ids: ['sku-1'] }, user_data: { email: 'buyer@example.com', city: 'New York', state: 'New York', zip: '10001-1234', country: 'United States', gender: 'Female', date_of_birth: '1990-07-04', client_user_agent: 'UA' } }),
      websiteEvent({ event_name: 'ViewContent', event_id: 'view_501', custom_data: { content_name: 'Pricing', content_category: 'pages' } }),
    ]);
    expect(await bus.drain()).toBe(4);

    const reg = received('registration_501')[0]!.event;
    expect(reg.user_data).toMatchObject({ em: [sha('new.user@example.org')], fn: [sha('anamaría')], ln: [sha('oneil')], external_id: [sha('user-501')] });
    expect(received('contact_1')[0]!.event.user_data.ph).toEqual([sha('493012345678')]);
    const purchase = received('purchase_501')[0]!.event;
    expect(purchase.user_data).toMatchObject({ ct: [sha('newyork')], st: [sha('ny')], zp: [sha('10001')], country: [sha('us')], ge: [sha('f')], db: [sha('19900704')] });
    expect(purchase.custom_data).toMatchObject({ value: 59.99, currency: expect.stringMatching(/^usd$/i), content_ids: ['sku-1'] });
    expect(received('view_501')[0]!.event.custom_data).toMatchObject({ content_name: 'Pricing' });

    const r = await row('purchase_501');
    expect(r).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(r.fbtrace_id).toBe(received('purchase_501')[0]!.fbtraceId);
    expect(await attempts('purchase_501')).toEqual([expect.objectContaining({ outcome: 'delivered', httpStatus: 200, batchSize: 4, fbtraceId: r.fbtrace_id })]);
  });

  it('delivers a 600-event batch in one Graph request and records an attempt for each event', async () => {
    await post(Array.from({ length: 600 }, (_, i) => websiteEvent({ event_id: `big_${i}` })));
    await bus.drain();
    expect(await bus.testDb.db('events').where('event_id', 'like', 'big_%').where({ status: 'delivered' }).count({ n: '*' }).first()).toEqual({ n: 600 });
    expect(sent().filter((r) => r.event.event_id.startsWith('big_'))).toHaveLength(600);
    const attemptRows = (await bus.testDb.db('delivery_attempts').join('events', 'events.id', 'delivery_attempts.event_row_id').where('events.event_id', 'like', 'big_%').select('delivery_attempts.batch_size as batchSize', 'delivery_attempts.outcome as outcome')) as Array<{ batchSize: number; outcome: string }>;
    expect(attemptRows).toHaveLength(600);
    expect(new Set(attemptRows.map((a) => `${a.outcome}/${a.batchSize}`))).toEqual(new Set(['delivered/600']));
  });

  it('never sends a skipped (disabled) event nor a duplicate', async () => {
    await bus.c.definitions.setEnabled('AddToWishlist', false);
    bus.c.intake.invalidate();
    await post([websiteEvent({ event_name: 'AddToWishlist', event_id: 'wish_1' })]);
    await bus.c.definitions.setEnabled('AddToWishlist', true);
    await post([websiteEvent({ event_id: 'dup_1' })]);
    await bus.drain();
    await post([websiteEvent({ event_id: 'dup_1' })]);
    await bus.drain();
    expect(received('wish_1')).toHaveLength(0);
    expect((await row('wish_1')).status).toBe('skipped');
    expect(received('dup_1')).toHaveLength(1);
  });

  it('retries transient failures (HTTP 500, rate limit, network timeout, HTML 502) and then delivers', async () => {
    await bus.c.settings.save({ ...(await bus.c.settings.get()), retry: { maxAttempts: 5, baseBackoffMs: 100, maxBackoffMs: 1000 }, requestTimeoutMs: 300 });
    bus.emulator.configure({ failNext: [{ kind: 'http500' }, { kind: 'meta', code: 17, isTransient: true }, { kind: 'timeout' }, { kind: 'non_json_502' }] });
    await post([websiteEvent({ event_id: 'flaky_1' })]);
    for (let i = 0; i < 4; i++) {
      await bus.drain();
      expect((await row('flaky_1')).status).toBe('retrying');
      await dueNow();
    }
    await bus.drain();
    expect(await row('flaky_1')).toMatchObject({ status: 'delivered', attempts: 5 });
    const a = await attempts('flaky_1');
    expect(a.map((x) => [x.outcome, x.httpStatus, x.errorCode])).toEqual([
      ['retrying', 500, 1],
      ['retrying', 400, 17],
      ['retrying', null, null],
      ['retrying', 502, null],
      ['delivered', 200, null],
    ]);
    expect(a[2]!.message).toMatch(/timed out/);
    expect(received('flaky_1')).toHaveLength(1);
    await bus.c.settings.save({ ...(await bus.c.settings.get()), retry: { maxAttempts: 3, baseBackoffMs: 100, maxBackoffMs: 1000 }, requestTimeoutMs: 1500 });
  });

  it('backs off exponentially: the next attempt is scheduled in the future', async () => {
    bus.emulator.configure({ failNext: [{ kind: 'http500' }] });
    await post([websiteEvent({ event_id: 'backoff_1' })]);
    const before = Date.now();
    await bus.drain();
    const r = await row('backoff_1');
    expect(r.status).toBe('retrying');
    expect(Number(r.next_attempt_at)).toBeGreaterThanOrEqual(before + 50);
    await dueNow();
    await bus.drain();
  });

  it('marks not_delivered when the attempts of the retry policy are used up', async () => {
    bus.emulator.configure({ failProbability: 1, failWith: { kind: 'http500' } });
    await post([websiteEvent({ event_id: 'doomed_1' })]);
    for (let i = 0; i < 3; i++) {
      await bus.drain();
      await dueNow();
    }
    expect(await row('doomed_1')).toMatchObject({ status: 'not_delivered', attempts: 3, last_error_code: 1 });
    expect((await attempts('doomed_1')).map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'not_delivered']);
    expect(received('doomed_1')).toHaveLength(0);
  });

  it('marks a permanent rejection failed with Meta’s message, and splits a poisoned batch so only that event fails', async () => {
    bus.emulator.configure({ rejectEventIds: ['poison_7'] });
    await post(Array.from({ length: 20 }, (_, i) => websiteEvent({ event_id: `poison_${i}` })));
    await bus.drain();
    const statuses = (await bus.testDb.db('events').where('event_id', 'like', 'poison_%').select('event_id', 'status', 'last_error_code', 'last_error_message')) as Array<{ event_id: string; status: string; last_error_code: number; last_error_message: string }>;
    const failed = statuses.filter((s) => s.status === 'failed');
    expect(failed.map((s) => s.event_id)).toEqual(['poison_7']);
    expect(failed[0]).toMatchObject({ last_error_code: 100, last_error_message: expect.stringMatching(/Invalid parameter.*poison_7 was rejected/) });
    expect(statuses.filter((s) => s.status === 'delivered')).toHaveLength(19);
    expect(sent().filter((r) => r.event.event_id.startsWith('poison_'))).toHaveLength(19);
    expect((await attempts('poison_7')).map((a) => a.outcome)).toContain('split');
  });

  it('fails only the event the SDK refuses (a stored currency it rejects); the rest of the batch is delivered', async () => {
    await post(Array.from({ length: 12 }, (_, i) => websiteEvent({ event_name: 'Purchase', event_id: `sdk_${i}`, custom_data: { value: 5, currency: 'USD' } })));
    // Stored before validation tightened, say: the SDK throws on it while building the request.
    const bad = await row('sdk_5');
    const payload = JSON.parse(bad.payload as string) as { custom_data: Record<string, unknown> };
    payload.custom_data.currency = 'ZZZ';
    await bus.testDb.db('events').where({ id: bad.id }).update({ payload: JSON.stringify(payload) });
    await bus.drain();
    const statuses = (await bus.testDb.db('events').where('event_id', 'like', 'sdk_%').select('event_id', 'status', 'last_error_message')) as Array<{ event_id: string; status: string; last_error_message: string | null }>;
    expect(statuses.filter((s) => s.status === 'failed')).toEqual([{ event_id: 'sdk_5', status: 'failed', last_error_message: expect.stringMatching(/SDK refused.*currency/) }]);
    expect(statuses.filter((s) => s.status === 'delivered')).toHaveLength(11);
    expect(received('sdk_5')).toHaveLength(0);
    expect(sent().filter((r) => r.event.event_id.startsWith('sdk_'))).toHaveLength(11);
  });

  it('expires an event older than Meta’s 7-day window instead of sending it', async () => {
    await post([websiteEvent({ event_id: 'old_1', event_time: now() - 6 * 86400 })]);
    // Time passes: the event is now older than 7 days when delivery gets to it.
    await bus.testDb.db('events').where({ event_id: 'old_1' }).update({ event_time: now() - 7 * 86400 - 10 });
    await bus.drain();
    expect((await row('old_1')).status).toBe('expired');
    expect(received('old_1')).toHaveLength(0);
  });

  it('pauses the pixel on code 190 without losing events, and resumes when the token is replaced', async () => {
    bus.emulator.configure({ failNext: [{ kind: 'meta', code: 190, subcode: 463, message: 'Error validating access token: Session has expired' }] });
    await post([websiteEvent({ event_id: 'token_1' }), websiteEvent({ event_id: 'token_2' })]);
    await bus.drain();
    const pixel = (await bus.c.pixelRepo.findByDatasetId(PIXEL_ID))!;
    expect(pixel.pausedReason).toMatch(/190/);
    // Parked: waiting, with no next attempt, so claims never read past them.
    expect(await row('token_1')).toMatchObject({ status: 'queued', attempts: 0, last_error_code: 190, next_attempt_at: null });
    await post([websiteEvent({ event_id: 'token_3' })]);
    expect(await bus.drain()).toBe(0); // paused: nothing is claimed, nothing burns retries
    expect(bus.emulator.requests()).toHaveLength(1);
    expect((await row('token_3')).next_attempt_at).not.toBeNull(); // accepted during the pause…
    expect(await bus.c.events.parkPaused()).toBe(1); // …and parked by the sweep job
    expect((await row('token_3')).next_attempt_at).toBeNull();

    await bus.c.pixels.setToken(pixel.id, `${ACCESS_TOKEN}-renewed`);
    for (const id of ['token_1', 'token_2', 'token_3']) expect(Number((await row(id)).next_attempt_at)).toBeGreaterThan(0);
    await bus.drain();
    for (const id of ['token_1', 'token_2', 'token_3']) {
      expect((await row(id)).status).toBe('delivered');
      expect(received(id)).toHaveLength(1);
    }
    expect(bus.logs()).not.toContain(ACCESS_TOKEN);
  });

  it('makes parked events of a pixel that is not paused due again (the sweep heals a race with intake)', async () => {
    await post([websiteEvent({ event_id: 'heal_1' })]);
    // Intake read a stale "paused" while the pixel was being resumed, say.
    await bus.testDb.db('events').where({ event_id: 'heal_1' }).update({ next_attempt_at: null });
    expect(await bus.drain()).toBe(0);
    expect(await bus.c.events.unparkActive()).toBe(1);
    await bus.drain();
    expect((await row('heal_1')).status).toBe('delivered');
  });

  it('re-claims events whose lease ran out (a worker died mid-send)', async () => {
    await post([websiteEvent({ event_id: 'lease_1' })]);
    const claimed = await bus.c.events.claimDue({ now: Date.now(), limit: 10, owner: 'dead-worker', leaseMs: 60_000, excludePixelIds: [] });
    expect(claimed.find((e) => e.eventId === 'lease_1')).toMatchObject({ status: 'sending', attempts: 1, leaseOwner: 'dead-worker', eventName: 'ViewContent', payload: expect.objectContaining({ event_id: 'lease_1' }) });
    expect(await bus.drain()).toBe(0); // leased by the dead worker
    await bus.testDb.db('events').where({ event_id: 'lease_1' }).update({ next_attempt_at: Date.now() - 1 }); // lease expires
    await bus.drain();
    expect(await row('lease_1')).toMatchObject({ status: 'delivered', attempts: 2 });
    // The dead worker's late answer cannot overwrite the new owner's result.
    expect(await bus.c.events.recordOutcome([Number((await row('lease_1')).id)], 'dead-worker', { status: 'failed', nextAttemptAt: null }, null)).toBe(0);
  });

  it('refuses a row id that is not an integer before any SQL is written', async () => {
    await post([websiteEvent({ event_id: 'ids_1' })]);
    const before = await bus.testDb.db('events').select('id', 'status', 'lease_owner').orderBy('id');
    await expect(bus.c.events.recordOutcome(['0) OR (1=1' as unknown as number], 'x', { status: 'failed', nextAttemptAt: null }, null)).rejects.toThrow(TypeError);
    await expect(bus.c.events.addAttempts([1.5], { attemptedAt: Date.now(), outcome: 'failed', httpStatus: null, errorCode: null, errorSubcode: null, isTransient: null, message: null, fbtraceId: null, durationMs: 0, batchSize: 1 })).rejects.toThrow(TypeError);
    expect(await bus.testDb.db('events').select('id', 'status', 'lease_owner').orderBy('id')).toEqual(before);
  });

  it('sends a freshly accepted event within about a second through the running loop', async () => {
    bus.c.deliverer.start();
    try {
      const t0 = Date.now();
      await post([websiteEvent({ event_id: 'fast_1' })]);
      while (!received('fast_1').length && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(received('fast_1')).toHaveLength(1);
      expect(Date.now() - t0).toBeLessThan(1500);
    } finally {
      await bus.c.deliverer.stop();
    }
  });

  it('drains a backlog with two claims side by side, sending each event exactly once', async () => {
    const settings = await bus.c.settings.get();
    await bus.c.settings.save({ ...settings, batchSize: 100 });
    const events = bus.c.events;
    const claimDue = events.claimDue.bind(events);
    let active = 0;
    let peak = 0;
    events.claimDue = async (opts) => {
      peak = Math.max(peak, ++active);
      try {
        return await claimDue(opts);
      } finally {
        active--;
      }
    };
    try {
      const ids = Array.from({ length: 1500 }, (_, i) => `backlog_${i}`);
      for (let i = 0; i < ids.length; i += 500) await post(ids.slice(i, i + 500).map((id) => websiteEvent({ event_id: id })));
      bus.c.deliverer.start();
      const backlog = () => sent().map((r) => r.event.event_id).filter((id) => id.startsWith('backlog_'));
      const t0 = Date.now();
      while (backlog().length < ids.length && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
      expect(backlog()).toHaveLength(ids.length);
      expect(new Set(backlog()).size).toBe(ids.length);
      expect(peak).toBe(2);
    } finally {
      await bus.c.deliverer.stop();
      events.claimDue = claimDue;
      await bus.c.settings.save(settings);
    }
    expect(await bus.testDb.db('events').where('event_id', 'like', 'backlog_%').whereNot({ status: 'delivered' }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('the running loop looks past fresh events at most once a second, and still sends a retry that came due', async () => {
    const claims: Array<{ at: number; queuedOnly: boolean }> = [];
    const events = bus.c.events;
    const claimDue = events.claimDue.bind(events);
    events.claimDue = (opts) => {
      claims.push({ at: opts.now, queuedOnly: opts.queuedOnly === true });
      return claimDue(opts);
    };
    bus.emulator.configure({ failNext: [{ kind: 'http500' }] });
    bus.c.deliverer.start();
    try {
      const t0 = Date.now();
      await post([websiteEvent({ event_id: 'loop_retry_1' })]);
      // Fresh events keep the loop claiming while the retry's backoff runs out.
      for (let i = 0; !received('loop_retry_1').length && Date.now() - t0 < 5000; i++) {
        await post([websiteEvent({ event_id: `loop_fresh_${i}` })]);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(received('loop_retry_1')).toHaveLength(1);
      // The emulator has answered; the outcome is recorded right after.
      while ((await row('loop_retry_1')).status !== 'delivered' && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 20));
      expect(await row('loop_retry_1')).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(claims.some((c) => c.queuedOnly)).toBe(true);
      const wide = claims.filter((c) => !c.queuedOnly).map((c) => c.at);
      for (let i = 1; i < wide.length; i++) expect(wide[i]! - wide[i - 1]!).toBeGreaterThanOrEqual(1000);
    } finally {
      await bus.c.deliverer.stop();
      events.claimDue = claimDue;
    }
  });

  it('uses the pixel’s test event code while it is active', async () => {
    const pixel = (await bus.c.pixelRepo.findByDatasetId(PIXEL_ID))!;
    await bus.testDb.db('pixels').where({ id: pixel.id }).update({ test_event_code: 'TEST123', test_event_code_expires_at: Date.now() + 60_000 });
    await post([websiteEvent({ event_id: 'testcode_1' })]);
    await bus.drain();
    expect(received('testcode_1')[0]!.testEventCode).toBe('TEST123');
    await bus.testDb.db('pixels').where({ id: pixel.id }).update({ test_event_code: null, test_event_code_expires_at: null });
  });
});
