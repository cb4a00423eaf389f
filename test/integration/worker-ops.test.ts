import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { APP_SECRET, startBus, websiteEvent, type Bus } from '../helpers/harness';

const ROOT = path.resolve(__dirname, '../..');
const METRICS_TOKEN = 'worker-metrics-token-0123456789';

const waitFor = async (what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

let bus: Bus;
/** Every worker spawned, killed in afterAll if a failed test left one running. */
const children: ChildProcess[] = [];

/** `npm run start:worker`'s entry point as a child process on the test database. */
function spawnWorker(workerPort: string, onOutput: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/main.ts'), 'worker'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: bus.testDb.url,
      GRAPH_API_URL: bus.emulatorUrl,
      APP_SECRET,
      METRICS_TOKEN,
      WORKER_PORT: workerPort,
      DELIVERY_POLL_MS: '50',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => onOutput(d.toString()));
  child.stderr!.on('data', (d: Buffer) => onOutput(d.toString()));
  children.push(child);
  return child;
}
const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

describe('worker mode: its own health, readiness and metrics listener (MariaDB)', () => {
  let worker: ChildProcess;
  let out = '';
  let base = '';

  beforeAll(async () => {
    // The in-process bus is the API (intake) on a fresh MariaDB database; it never delivers by itself.
    bus = await startBus('mysql');
    worker = spawnWorker('0', (d) => (out += d)); // any free port; read back from the "worker ready" log line
    await waitFor('the worker to listen', () => /"msg":"MetaConversions Bus worker ready"/.test(out) || worker.exitCode !== null);
    const ready = out.split('\n').find((l) => l.includes('"MetaConversions Bus worker ready"'));
    if (!ready) throw new Error(`worker did not start:\n${out}`);
    base = `http://127.0.0.1:${(JSON.parse(ready) as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    }
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
    let second = '';
    const child = spawnWorker(new URL(base).port, (d) => (second += d));
    await exited(child);
    expect(child.exitCode).toBe(1);
    expect(second).toMatch(/Start-up failed: listen EADDRINUSE.*:\d+/);
    expect(second).not.toMatch(/worker ready/);
  });

  it('on SIGTERM closes the listener and exits 0', async () => {
    worker.kill('SIGTERM');
    await exited(worker);
    expect(worker.exitCode).toBe(0);
    expect(out).toMatch(/"msg":"stopped"/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
