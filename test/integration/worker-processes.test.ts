import type { ChildProcess } from 'node:child_process';
import { startBus, websiteEvent, type Bus } from '../helpers/harness';
import { exited, killAll, spawnWorker as spawnOn, waitFor } from '../helpers/worker-process';

describe('worker processes on MariaDB', () => {
  let bus: Bus;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    bus = await startBus('mysql', { emulatorLatencyMs: 400, settings: { batchSize: 250 } });
  });
  /** Short leases, so a killed worker's events come back within the test. */
  const spawnWorker = (b: Bus, name: string) => spawnOn(b, name, { LEASE_MS: '3000' });
  afterEach(async () => {
    await killAll(children);
    bus.emulator.reset();
    bus.emulator.configure({ latencyMs: 400 });
  });
  afterAll(async () => bus.stop());

  const accept = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i += 1000) {
      const data = Array.from({ length: Math.min(1000, n - i) }, (_, j) => websiteEvent({ event_id: `${prefix}_${i + j}` }));
      await bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data }).expect(202);
    }
  };
  const delivered = async (prefix: string) =>
    Number(((await bus.testDb.db('events').where('event_id', 'like', `${prefix}_%`).where({ status: 'delivered' }).count({ n: '*' }).first()) as { n: number }).n);
  const receivedCounts = (prefix: string) => {
    const counts = new Map<string, number>();
    for (const r of bus.emulator.received()) {
      const id = String(r.event.event_id);
      if (id.startsWith(`${prefix}_`)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  it('a worker killed mid-batch (SIGKILL) loses nothing: every event is delivered exactly once', async () => {
    await accept('crash', 2000);
    const a = spawnWorker(bus, 'A');
    children.push(a);
    await waitFor('worker A to have a batch in flight', () => bus.emulator.requests().some((r) => r.status === 0), 30_000);
    a.kill('SIGKILL');
    await exited(a);
    expect(await delivered('crash')).toBe(0); // killed before any answer came back

    const b = spawnWorker(bus, 'B');
    children.push(b);
    await waitFor('worker B to deliver everything once A’s leases expired', async () => (await delivered('crash')) === 2000, 90_000);
    const counts = receivedCounts('crash');
    expect(counts.size).toBe(2000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(bus.emulator.requests().some((r) => r.status === -1)).toBe(true); // A's abandoned requests were never processed
  }, 150_000);

  it('two workers drain one backlog side by side and no event is sent twice', async () => {
    await accept('pair', 4000);
    const a = spawnWorker(bus, 'A');
    const b = spawnWorker(bus, 'B');
    children.push(a, b);
    await waitFor('both workers to deliver the backlog', async () => (await delivered('pair')) === 4000, 120_000);
    const counts = receivedCounts('pair');
    expect(counts.size).toBe(4000);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    const batches = (out: string) => (out.match(/delivery batch delivered/g) ?? []).length;
    expect(batches(a.output())).toBeGreaterThan(0);
    expect(batches(b.output())).toBeGreaterThan(0);
  }, 150_000);

  it('SIGTERM finishes the batches in flight and exits cleanly', async () => {
    await accept('term', 1000);
    const a = spawnWorker(bus, 'A');
    children.push(a);
    await waitFor('a batch in flight', () => bus.emulator.requests().some((r) => r.status === 0), 30_000);
    a.kill('SIGTERM');
    await exited(a);
    expect(a.exitCode).toBe(0);
    expect(a.output()).toMatch(/shutting down/);
    // What was in flight was recorded; nothing is left leased by the stopped worker.
    const leased = await bus.testDb.db('events').where('event_id', 'like', 'term_%').where({ status: 'sending' }).count({ n: '*' }).first();
    expect(Number((leased as { n: number }).n)).toBe(0);
    expect(await delivered('term')).toBeGreaterThan(0);
  }, 60_000);
});
