import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { startAgenda } from '../../server/src/worker/agenda';
import { JOBS } from '../../server/src/worker/jobs';
import { startBus, websiteEvent, type Bus } from '../helpers/harness';

/**
 * Agenda's production job store is MongoDB. No MongoDB server can be installed on the
 * development machines or CI, so these tests run only where MONGO_URL points at one
 * (e.g. `MONGO_URL=mongodb://127.0.0.1:27017/mcb_test npx jest test/integration/agenda-mongo`).
 */
const MONGO_URL = process.env.MONGO_URL;
if (!MONGO_URL) {
  console.warn('SKIPPED test/integration/agenda-mongo.test.ts: MONGO_URL is not set, so the MongoDB job store is not tested in this run.');
}
const describeWithMongo = MONGO_URL ? describe : describe.skip; // reason: needs a MongoDB server (MONGO_URL)

describeWithMongo(MONGO_URL ? 'Agenda on MongoDB (@agendajs/mongo-backend)' : 'Agenda on MongoDB (@agendajs/mongo-backend) — not run: MONGO_URL is not set', () => {
  let bus: Bus;
  let agenda: Agenda | undefined;
  beforeAll(async () => {
    bus = await startBus('sqlite');
  });
  afterAll(async () => {
    await agenda?.stop();
    const cleanup = new Agenda({ backend: new MongoBackend({ address: MONGO_URL!, collection: 'agendaJobs' }) });
    await cleanup.ready;
    await cleanup.cancel({ names: Object.values(JOBS).map((j) => j.name) });
    await cleanup.stop(true);
    await bus.stop();
  });

  it('schedules the recurring jobs once and runs an admin retry through the Mongo job store', async () => {
    agenda = await startAgenda({ mongoUrl: MONGO_URL, db: bus.testDb.db, processEvery: 200, deps: { events: bus.c.events, settings: bus.c.settings, deliverer: bus.c.deliverer, logger: bus.c.logger } });
    const names = (await agenda.queryJobs({})).jobs.map((j) => j.name);
    expect(names).toEqual(expect.arrayContaining([JOBS.deliverySweep.name, JOBS.expire.name, JOBS.purge.name]));

    bus.emulator.configure({ failNext: [{ kind: 'meta', code: 100 }] });
    await bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data: [websiteEvent({ event_id: 'mongo_retry_1' })] }).expect(202);
    await bus.drain();
    const row = await bus.testDb.db('events').where({ event_id: 'mongo_retry_1' }).first();
    expect(row.status).toBe('failed');

    await agenda.now(JOBS.retryEvents.name, { ids: [Number(row.id)] });
    const t0 = Date.now();
    while ((await bus.testDb.db('events').where({ event_id: 'mongo_retry_1' }).first()).status === 'failed' && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    await bus.drain();
    expect((await bus.testDb.db('events').where({ event_id: 'mongo_retry_1' }).first()).status).toBe('delivered');
  });
});
