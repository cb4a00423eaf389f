import type { Knex } from 'knex';
import { Agenda, type AgendaOptions } from 'agenda';
import { createDb } from '../../server/src/shared/db';
import { KnexAgendaBackend } from '../../server/src/worker/knex-agenda-backend';
import { up as createAgendaTable } from '../../db/migrations/20261121000200_agenda_jobs';
import { createTestDb, DIALECTS, type TestDb } from '../helpers/db';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface StoredJob {
  id: string;
  name: string;
  type: string;
  data: string | null;
  next_run_at: number | null;
  locked_at: number | null;
  last_finished_at: number | null;
  repeat_interval: string | null;
  last_modified_by: string | null;
}

describe.each(DIALECTS)('Agenda on the Knex backend (%s)', (dialect) => {
  let testDb: TestDb;
  let db: Knex;
  const extraDbs: Knex[] = [];
  const agendas: Agenda[] = [];
  const errors: Error[] = [];

  /**
   * A polling Agenda on `onDb` (the test database by default); stopped after each test.
   * A short lock lifetime because Agenda's per-run liveness check sleeps lockLifetime / 2 after
   * the job ends (10 min / 2 by default), which would keep jest from exiting.
   */
  function makeAgenda(options: Partial<AgendaOptions> = {}, onDb: Knex = db): Agenda {
    const agenda = new Agenda({
      backend: new KnexAgendaBackend({ db: onDb }),
      processEvery: 100,
      defaultLockLifetime: 1_000,
      ...options,
    });
    agenda.on('error', (err) => errors.push(err));
    agendas.push(agenda);
    return agenda;
  }
  const rows = (name: string) => db<StoredJob>('agenda_jobs').where({ name }) as Promise<StoredJob[]>;

  beforeAll(async () => {
    // Only this migration: the product tables are not needed here.
    testDb = await createTestDb(dialect, { migrate: false });
    db = testDb.db;
    await createAgendaTable(db);
  });

  afterEach(async () => {
    for (const agenda of agendas.splice(0)) await agenda.stop();
    for (const extra of extraDbs.splice(0)) await extra.destroy();
    await db('agenda_jobs').delete();
    expect(errors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await testDb.drop();
  });

  it('runs a job saved with now() once, with its data, and leaves it unlocked', async () => {
    const agenda = makeAgenda();
    const seen: unknown[] = [];
    agenda.define('hello', async (job) => {
      seen.push(job.attrs.data);
    });
    await agenda.start();
    await agenda.now('hello', { to: 'world', n: 1, nested: { ok: true } });

    await waitFor('the job to run', () => seen.length === 1);
    await sleep(300);
    expect(seen).toEqual([{ to: 'world', n: 1, nested: { ok: true } }]);
    const [row] = await rows('hello');
    expect(row).toMatchObject({ type: 'normal', locked_at: null, next_run_at: null });
    expect(Number(row?.last_finished_at)).toBeGreaterThan(Date.now() - 10_000);
  });

  it('repeats an every() job and stores it once, also after a restart', async () => {
    const runs: number[] = [];
    const first = makeAgenda();
    first.define('tick', async () => {
      runs.push(Date.now());
    });
    await first.start();
    await first.every('1 second', 'tick');
    await waitFor('two runs', () => runs.length >= 2, 5_000);
    await first.stop();

    const second = makeAgenda();
    second.define('tick', async () => {
      runs.push(Date.now());
    });
    await second.start();
    await second.every('1 second', 'tick');
    const before = runs.length;
    await waitFor('a run after the restart', () => runs.length > before, 5_000);

    const stored = await rows('tick');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: 'single', repeat_interval: '1 second' });
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(900);
  });

  it('runs a job scheduled "in 1 second" later, not now', async () => {
    const agenda = makeAgenda();
    const ranAt: number[] = [];
    agenda.define('later', async () => {
      ranAt.push(Date.now());
    });
    await agenda.start();
    const scheduledAt = Date.now();
    await agenda.schedule('in 1 second', 'later');

    await sleep(500);
    expect(ranAt).toEqual([]);
    await waitFor('the scheduled run', () => ranAt.length === 1, 5_000);
    expect(ranAt[0]! - scheduledAt).toBeGreaterThanOrEqual(900);
  });

  it('keeps one job per unique() key, even when saved concurrently', async () => {
    const agenda = makeAgenda();
    await agenda.ready;
    await agenda.create('notify', { userId: 1, v: 'a' }).unique({ 'data.userId': 1 }).save();
    await agenda.create('notify', { userId: 1, v: 'b' }).unique({ 'data.userId': 1 }).save();
    await agenda.create('notify', { userId: 2, v: 'c' }).unique({ 'data.userId': 2 }).save();
    await agenda.create('notify', { userId: 1, v: 'd' }).unique({ 'data.userId': 1 }, { insertOnly: true }).save();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => agenda.create('notify', { userId: 3, v: i }).unique({ 'data.userId': 3 }).save()),
    );

    const stored = await rows('notify');
    const byUser = new Map(stored.map((r) => [(JSON.parse(r.data!) as { userId: number }).userId, JSON.parse(r.data!)]));
    expect(stored).toHaveLength(3);
    expect(byUser.get(1)).toEqual({ userId: 1, v: 'b' }); // updated by the 2nd save, kept by insertOnly
    expect(byUser.get(2)).toEqual({ userId: 2, v: 'c' });
  });

  it('collapses debounced saves into one job whose run moves back', async () => {
    const agenda = makeAgenda();
    await agenda.ready;
    await agenda.nowDebounced('reindex', { entity: 'products', n: 1 }, { 'data.entity': 'products' }, 2_000);
    await sleep(50);
    const savedAt = Date.now();
    await agenda.nowDebounced('reindex', { entity: 'products', n: 2 }, { 'data.entity': 'products' }, 2_000);

    const stored = await rows('reindex');
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.data!)).toEqual({ entity: 'products', n: 2 });
    expect(Number(stored[0]!.next_run_at)).toBeGreaterThanOrEqual(savedAt + 2_000);
  });

  it('records failReason and failCount when a job throws', async () => {
    const agenda = makeAgenda();
    agenda.define('explode', async () => {
      throw new Error('boom');
    });
    let completed = false;
    agenda.on('complete:explode', () => {
      completed = true;
    });
    await agenda.start();
    const job = await agenda.now('explode');
    await waitFor('the failed run to be saved', () => completed);

    const stored = await agenda.db.getJobById(String(job.attrs._id));
    expect(stored).toMatchObject({ failReason: 'boom', failCount: 1 });
    expect(stored?.failedAt).toBeInstanceOf(Date);
    expect(stored?.lockedAt).toBeUndefined();
    const [failed] = (await agenda.queryJobs({ name: 'explode', state: 'failed' })).jobs;
    expect(failed?._id).toBe(job.attrs._id);
  });

  it('never runs a one-time job twice when two instances share the database', async () => {
    const runs = new Map<number, number>();
    const byInstance = { a: 0, b: 0 };
    // Each instance has its own connection pool, as two worker processes would.
    const otherDb = createDb(testDb.url);
    extraDbs.push(otherDb);
    const instances = { a: makeAgenda({ name: 'a', defaultLockLimit: 5 }), b: makeAgenda({ name: 'b', defaultLockLimit: 5 }, otherDb) };
    for (const [name, agenda] of Object.entries(instances) as ['a' | 'b', Agenda][]) {
      agenda.define<{ i: number }>('once', async (job) => {
        runs.set(job.attrs.data.i, (runs.get(job.attrs.data.i) ?? 0) + 1);
        byInstance[name]++;
        await sleep(10);
      });
    }
    await Promise.all([instances.a.ready, instances.b.ready]);
    for (let i = 0; i < 50; i++) await instances.a.now('once', { i });

    await Promise.all([instances.a.start(), instances.b.start()]);
    await waitFor('all 50 jobs to run', () => runs.size === 50, 20_000);
    await sleep(500);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(byInstance.a + byInstance.b).toBe(50);
    expect(byInstance.a).toBeGreaterThan(0);
    expect(byInstance.b).toBeGreaterThan(0);
  });

  it('picks up a job whose lock expired after a crash, but not one locked recently', async () => {
    const agenda = makeAgenda({ defaultLockLifetime: 3_000 });
    const ran: string[] = [];
    agenda.define<{ k: string }>('recover', async (job) => {
      ran.push(job.attrs.data.k);
    });
    await agenda.ready;
    const crashed = await agenda.now('recover', { k: 'crashed' });
    const busy = await agenda.now('recover', { k: 'busy' });
    // As a worker leaves them mid-run: locked, nextRunAt cleared by Job.run().
    await db('agenda_jobs').where({ id: String(crashed.attrs._id) }).update({ locked_at: Date.now() - 60_000, next_run_at: null });
    await db('agenda_jobs').where({ id: String(busy.attrs._id) }).update({ locked_at: Date.now(), next_run_at: null });

    await agenda.start();
    await waitFor('the crashed job to run again', () => ran.length === 1);
    await sleep(500);
    expect(ran).toEqual(['crashed']);
  });

  it('on stop() releases jobs it locked but had not started; a running job keeps its lock until it ends', async () => {
    // Agenda 6 unlocks only the jobs waiting in its local queue; running ones are unlocked by their final save.
    const agenda = makeAgenda();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    let completed = 0;
    agenda.define<{ k: string }>(
      'slow',
      async (job) => {
        started.push(job.attrs.data.k);
        await gate;
      },
      { concurrency: 1 },
    );
    agenda.on('complete:slow', () => completed++);
    await agenda.now('slow', { k: 'first' });
    await agenda.now('slow', { k: 'second' });
    await agenda.start();
    await waitFor('one job to start and both to be locked', async () => {
      const stored = await rows('slow');
      return started.length === 1 && stored.every((r) => r.locked_at !== null);
    });

    await agenda.stop();
    const lockedAfterStop = (await rows('slow')).filter((r) => r.locked_at !== null).map((r) => JSON.parse(r.data!).k);
    expect(lockedAfterStop).toEqual(started);
    release();
    await waitFor('the running job to finish', () => completed === 1);
    expect((await rows('slow')).every((r) => r.locked_at === null)).toBe(true);
  });

  it('removes every job of a name with cancel({ name })', async () => {
    const agenda = makeAgenda();
    await agenda.ready;
    for (let i = 0; i < 3; i++) await agenda.schedule('in 1 hour', 'purge-me', { i });
    await agenda.schedule('in 1 hour', 'keep-me');

    expect(await agenda.cancel({ name: 'purge-me' })).toBe(3);
    expect(await rows('purge-me')).toEqual([]);
    expect(await rows('keep-me')).toHaveLength(1);
    expect(await agenda.cancel({})).toBe(0); // no criteria: nothing is removed
  });

  it('answers queryJobs and getJobsOverview with states, filters and pages', async () => {
    const agenda = makeAgenda(); // not started: nothing runs
    await agenda.ready;
    await agenda.schedule('in 1 hour', 'report', { k: 1 });
    await agenda.now('report', { k: 2 });
    const paused = await agenda.schedule('in 2 hours', 'report', { k: 3 });
    await agenda.disable({ id: paused.attrs._id });
    await agenda.every('1 hour', 'report-repeat');

    const reports = await agenda.queryJobs({ name: 'report', sort: { nextRunAt: 'asc' } });
    expect(reports.total).toBe(3);
    expect(reports.jobs.map((j) => (j.data as { k: number }).k)).toEqual([2, 1, 3]);
    expect(reports.jobs.map((j) => j.state)).toEqual(['queued', 'scheduled', 'scheduled']);

    expect((await agenda.queryJobs({ state: 'repeating' })).jobs.map((j) => j.name)).toEqual(['report-repeat']);
    expect((await agenda.queryJobs({ state: 'paused' })).jobs.map((j) => j._id)).toEqual([paused.attrs._id]);
    expect((await agenda.queryJobs({ data: { k: 2 } })).total).toBe(1);
    expect((await agenda.queryJobs({ search: 'REPORT' })).total).toBe(4);
    expect((await agenda.queryJobs({ name: 'report', includeDisabled: false })).total).toBe(2);
    const page = await agenda.queryJobs({ name: 'report', sort: { nextRunAt: 'asc' }, skip: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.jobs.map((j) => (j.data as { k: number }).k)).toEqual([1]);

    const overview = await agenda.getJobsOverview();
    expect(overview.find((o) => o.name === 'report')).toEqual({
      name: 'report',
      total: 3,
      running: 0,
      scheduled: 2,
      queued: 1,
      completed: 0,
      failed: 0,
      repeating: 0,
      paused: 1,
    });
    expect(overview.find((o) => o.name === 'report-repeat')).toMatchObject({ total: 1, repeating: 1 });
    expect(await agenda.db.getQueueSize()).toBeGreaterThanOrEqual(1);
  });
});
