import type { ChildProcess } from 'node:child_process';
import { startBus, websiteEvent, type Bus } from '../helpers/harness';
import { exited, killAll, spawnWorker as spawnOn, waitFor, type WorkerProcess } from '../helpers/worker-process';

const METRICS_TOKEN = 'worker-metrics-token-0123456789';

let bus: Bus;
/** Every worker spawned, killed in afterAll if a failed test left one running. */
const children: ChildProcess[] = [];

/** A worker process with the metrics token, on `workerPort` (0: any free port). */
function spawnWorker(name: string, workerPort: string): WorkerProcess {
  const child = spawnOn(bus, name, { METRICS_TOKEN, WORKER_PORT: workerPort });
  children.push(child);
  return child;
}

describe('worker mode: its own health, readiness and metrics listener (MariaDB)', () => {
  let worker: WorkerProcess;
  let base = '';

  beforeAll(async () => {
    // The in-process bus is the API (intake) on a fresh MariaDB database; it never delivers by itself.
    bus = await startBus('mysql');
    worker = spawnWorker('worker', '0'); // any free port; read back from the "worker ready" log line
    await waitFor('the worker to listen', () => /"msg":"MetaConversions Bus worker ready"/.test(worker.output()) || worker.exitCode !== null);
    const ready = worker.output().split('\n').find((l) => l.includes('"MetaConversions Bus worker ready"'));
    if (!ready) throw new Error(`worker did not start:\n${worker.output()}`);
    base = `http://127.0.0.1:${(JSON.parse(ready) as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    await killAll(children);
    await bus?.stop();
  });

  it('answers /healthz, and /readyz with the database, migrations, job store and delivery loop', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', job_store: 'ok', delivery_loop: 'ok' } });
  });

  it('serves neither intake nor the dashboard', async () => {
    for (const [method, url] of [['POST', '/v1/events'], ['POST', '/v1/collect'], ['GET', '/admin/api/auth/me'], ['GET', '/admin/']] as const) {
      const res = await fetch(`${base}${url}`, { method, headers: { 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect([url, res.status]).toEqual([url, 404]);
    }
  });

  it('closes /metrics without the METRICS_TOKEN and, with it, exposes the deliveries this worker made', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong-token-0000000000' } })).status).toBe(401);

    await bus.http.post('/v1/events').set('Authorization', `Bearer ${bus.apiKey}`).send({ data: [websiteEvent({ event_id: 'wm_1' }), websiteEvent({ event_id: 'wm_2' })] }).expect(202);
    const delivered = async () => Number(((await bus.testDb.db('events').where({ status: 'delivered' }).count({ n: '*' }).first()) as { n: number }).n);
    await waitFor('the worker to deliver both events', async () => (await delivered()) === 2);

    const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/mcb_deliveries_total\{outcome="delivered",code=""\} 2/);
    expect(text).toMatch(/mcb_delivery_latency_seconds_count 2/);
    expect(text).toMatch(/mcb_graph_request_seconds_count\{outcome="delivered"\} [12]\n/);
    expect(text).toMatch(/mcb_queue_depth\{status="queued"\} 0/);
    expect(text).toContain('mcb_process_cpu_seconds_total');
  });

  it('a second worker on the same WORKER_PORT stops at start-up, naming the port', async () => {
    const child = spawnWorker('second', new URL(base).port);
    await exited(child);
    expect(child.exitCode).toBe(1);
    expect(child.output()).toMatch(/Start-up failed: listen EADDRINUSE.*:\d+/);
    expect(child.output()).not.toMatch(/worker ready/);
  });

  it('on SIGTERM closes the listener and exits 0', async () => {
    worker.kill('SIGTERM');
    await exited(worker);
    expect(worker.exitCode).toBe(0);
    expect(worker.output()).toMatch(/"msg":"stopped"/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
