import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import knex from 'knex';
import { createDb, migrateLatest, type Db } from '../server/src/shared/db';
import { ApiKeyRepository } from '../server/src/api-keys/repository';
import { ApiKeyService } from '../server/src/api-keys/service';
import { EventRepository, type NewEvent } from '../server/src/events/repository';
import { PixelRepository } from '../server/src/pixels/repository';
import { SecretBox } from '../server/src/shared/crypto';
import { hashUserData } from '../server/src/user-data/hash';
import { CliError, options } from './cli';

const USAGE = `
Usage: npm run bench -- [--db mysql|sqlite] [--duration SECONDS] [--connections N] [--delivery-events N] [--delivery-concurrency N]
                        [--only intake,batch,delivery,e2e,hash] [--cpu-prof DIR]

Measures, on this machine, with every process on loopback:
  1. intake, one event per request, acknowledged after commit, against a bare Express 5 JSON
     echo measured in the same run (requests/s, p50/p99 latency);
  2. intake of batches of 1000 events per request (events/s accepted);
  3. delivery to the Graph API emulator with 150 ms added latency (events/s delivered);
  4. normalizing + hashing user data per event (µs), on its own;
  5. end-to-end latency accepted → delivered at a light steady load.
Each run also prints the CPU time the server process spent per request (from /proc), which
stays comparable when other work shares the machine. --cpu-prof writes V8 CPU profiles of the
bus processes to DIR (open them in Chrome DevTools).
MySQL: BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/test); a scratch database is created and dropped.
`;

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(USAGE.trim() + '\n');
  process.exit(0);
}
/** The options, checked: an unknown one or a bad --db ends the run with one line naming it. */
function parseOptions() {
  const str = { type: 'string' } as const;
  const { values } = options(args, { db: str, duration: str, connections: str, 'delivery-events': str, 'delivery-concurrency': str, only: str, 'cpu-prof': str });
  const db = values.db ?? 'mysql';
  if (db !== 'mysql' && db !== 'sqlite') throw new CliError(`--db must be mysql or sqlite (got "${db.slice(0, 40)}")`);
  return { ...values, db: db as 'mysql' | 'sqlite' };
}
let opt: ReturnType<typeof parseOptions>;
try {
  opt = parseOptions();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
const dialect = opt.db;
const duration = Number(opt.duration ?? 10);
const connections = Number(opt.connections ?? 64);
const deliveryEvents = Number(opt['delivery-events'] ?? 50_000);
const deliveryConcurrency = Number(opt['delivery-concurrency'] ?? 8);
const only = new Set((opt.only ?? 'intake,batch,delivery,e2e,hash').split(','));
const cpuProfDir = opt['cpu-prof'];
const APP_SECRET = 'bench-app-secret-0123456789abcdef';
const PIXEL = '1234567890123';

const NPM_SCRIPTS = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** The node flags `npm start` / `start:api` / `start:worker` pass (V8 heap sizing): the bus is measured as it runs for real. */
function busNodeFlags(mode: string): string[] {
  const words = (NPM_SCRIPTS[mode === 'all' ? 'start' : `start:${mode}`] ?? '').split(/\s+/);
  return words.slice(1, Math.max(1, words.indexOf('--import')));
}

const children: ChildProcess[] = [];
/** Starts a child process; resolves once `ready()` answers (or the child prints its port). */
async function start(script: string, argv: string[], env: Record<string, string>, readyUrl?: string): Promise<{ child: ChildProcess; port: number }> {
  const port = Number(env.PORT ?? 0);
  const prof = cpuProfDir && script.startsWith('server/') ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
  const flags = script === 'server/src/main.ts' ? busNodeFlags(argv[0]!) : [];
  const child = spawn(process.execPath, [...flags, ...prof, '--import', 'tsx', path.join(ROOT, script), ...argv], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 300; i++) {
    if (exited) throw new Error(`${script} exited early`);
    if (!readyUrl) {
      await new Promise((r) => setTimeout(r, 1500));
      return { child, port };
    }
    try {
      if ((await fetch(readyUrl)).status < 500) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${script} did not become ready`);
}
const stop = async (c: ChildProcess) => {
  if (c.exitCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await done;
};
const freePort = () => 20000 + crypto.randomInt(20000);

function event(i: number, prefix: string) {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: `${prefix}_${i}`,
    action_source: 'website',
    event_source_url: 'https://shop.example.com/checkout/thanks',
    user_data: { email: `buyer${i}@example.com`, phone: '+1 650 555 0100', first_name: 'Ana', client_user_agent: 'Mozilla/5.0 (bench)', client_ip_address: '203.0.113.7', fbp: 'fb.1.1700000000000.1234567890' },
    custom_data: { value: 42.5, currency: 'USD' },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return NaN;
  }
}

/** The local MariaDB/MySQL server's pid, to report its CPU share too (undefined when remote or SQLite). */
function dbServerPid(): number | undefined {
  if (dialect !== 'mysql') return undefined;
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pidof', [name], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
      if (pid) return pid;
    } catch {
      // not running under this name
    }
  }
  return undefined;
}
const DB_PID = dbServerPid();
/** The database server's share, when it is a separate local process (SQLite runs inside the bus). */
const dbPart = (us: number) => (Number.isFinite(us) ? `, ${us.toFixed(1)} µs in the database server` : ' (SQLite: inside the bus process)');

async function load(url: string, key: string | undefined, bodyFor: (i: number) => string, opts: { duration: number; connections: number; pid?: number }) {
  let i = 0;
  const cpu0 = cpuSeconds(opts.pid);
  const db0 = cpuSeconds(DB_PID);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.duration,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodyFor(i++) }) }],
  });
  const cpuUsPerReq = ((cpuSeconds(opts.pid) - cpu0) * 1e6) / Math.max(1, result.requests.total);
  const dbUsPerReq = ((cpuSeconds(DB_PID) - db0) * 1e6) / Math.max(1, result.requests.total);
  return { cpuUsPerReq, dbUsPerReq, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, total: result.requests.total };
}

/** Rounds of one load run together: requests/s and CPU over all rounds, median p50/p99, summed failures. */
function combine(runs: Array<Awaited<ReturnType<typeof load>>>) {
  const total = runs.reduce((n, r) => n + r.total, 0);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const weighted = (f: (r: (typeof runs)[number]) => number) => runs.reduce((n, r) => n + f(r) * r.total, 0) / Math.max(1, total);
  return {
    rps: runs.reduce((n, r) => n + r.rps, 0) / runs.length,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuUsPerReq: weighted((r) => r.cpuUsPerReq),
    dbUsPerReq: weighted((r) => r.dbUsPerReq),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

/**
 * A new scratch database, migrated, with an API key and the bench pixel; `drop` removes it.
 * Delivery gets its own: measured on the intake runs' database it would also pay for InnoDB
 * purging the hundreds of thousands of rows those runs wrote.
 */
async function scratchDatabase() {
  let url: string;
  let removeStore: () => Promise<void>;
  if (dialect === 'mysql') {
    const admin = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
    const name = `mcb_bench_${crypto.randomBytes(4).toString('hex')}`;
    const a = knex({ client: 'mysql2', connection: admin });
    await a.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    await a.destroy();
    url = admin.replace(/\/[^/]*$/, `/${name}`);
    removeStore = async () => {
      const b = knex({ client: 'mysql2', connection: admin });
      await b.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await b.destroy();
    };
  } else {
    const file = `/tmp/mcb-bench-${crypto.randomBytes(4).toString('hex')}.sqlite`;
    url = `sqlite:${file}`;
    removeStore = async () => {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    };
  }
  const db: Db = createDb(url);
  const drop = async () => {
    await db.destroy();
    await removeStore();
  };
  try {
    await migrateLatest(db);
    const { key } = await new ApiKeyService(new ApiKeyRepository(db)).create('bench');
    const pixel = await new PixelRepository(db).create({ datasetId: PIXEL, name: 'bench', accessTokenEnc: new SecretBox(APP_SECRET).seal('EAAbench-token-1234567890'), accessTokenLast4: '7890' });
    const env = { DATABASE_URL: url, APP_SECRET, GRAPH_API_URL: 'http://127.0.0.1:9', DELIVERY_CONCURRENCY: String(deliveryConcurrency), WORKER_PORT: '0' };
    return { db, key, pixel, env, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}

async function main() {
  let scratch = await scratchDatabase();
  try {
    let { db, key, pixel, env } = scratch;
    console.log(`# MetaConversions Bus benchmark — ${dialect}, ${connections} connections, ${duration}s per run, node ${process.version}`);

    // 1. One event per request vs the echo.
    const apiPort = freePort();
    const needApi = only.has('intake') || only.has('batch');
    if (only.has('intake')) {
      // Echo and bus run side by side and are loaded in alternating rounds, so a change in the
      // machine's speed during the run (a shared VM's often is) weighs on both alike.
      // A second echo served the way the bus serves its app (createHttpServer) tells the bus's own
      // work apart from what its HTTP server setup saves.
      const echoPort = freePort();
      const twinPort = freePort();
      const echo = await start('scripts/bench/echo.ts', [], { PORT: String(echoPort) }, `http://127.0.0.1:${echoPort}/`);
      const twin = await start('scripts/bench/echo.ts', [], { PORT: String(twinPort), ECHO_SERVER: 'bus' }, `http://127.0.0.1:${twinPort}/`);
      const api = await start('server/src/main.ts', ['api'], { ...env, PORT: String(apiPort), HOST: '127.0.0.1' }, `http://127.0.0.1:${apiPort}/healthz`);
      const targets = [
        { url: `http://127.0.0.1:${echo.port}/v1/events`, key: undefined, pid: echo.child.pid },
        { url: `http://127.0.0.1:${twin.port}/v1/events`, key: undefined, pid: twin.child.pid },
        { url: `http://127.0.0.1:${api.port}/v1/events`, key, pid: api.child.pid },
      ];
      for (const t of targets) await load(t.url, t.key, (i) => JSON.stringify(event(i, 'warm')), { duration: 2, connections });
      // Short rounds, many of them: the VM's speed changes within seconds.
      const rounds = Math.max(3, Math.round(duration / 2));
      const per = Math.max(2, Math.round(duration / rounds));
      const runs = targets.map(() => [] as Awaited<ReturnType<typeof load>>[]);
      for (let r = 0; r < rounds; r++) {
        for (const [n, t] of targets.entries()) runs[n]!.push(await load(t.url, t.key, (i) => JSON.stringify(event(i, `r${r}t${n}`)), { duration: per, connections, pid: t.pid }));
      }
      await stop(echo.child);
      await stop(twin.child);
      const [es, ts, bs] = runs as [typeof runs[0], typeof runs[0], typeof runs[0]];
      const [e, t, b] = [combine(es), combine(ts), combine(bs)];
      const ratios = bs.map((x, r) => `${((100 * x.rps) / es[r]!.rps).toFixed(0)} %`).join(', ');
      console.log(`\n## Intake, 1 event/request (acknowledged after commit), ${rounds} alternating rounds of ${per} s`);
      console.log(`echo : ${e.rps.toFixed(0)} req/s  p50 ${e.p50} ms  p99 ${e.p99} ms  (${e.cpuUsPerReq.toFixed(0)} µs CPU/request)`);
      console.log(`bus  : ${b.rps.toFixed(0)} req/s  p50 ${b.p50} ms  p99 ${b.p99} ms  non-2xx ${b.non2xx} errors ${b.errors}  (CPU per request: ${b.cpuUsPerReq.toFixed(0)} µs in the API process${dbPart(b.dbUsPerReq)})`);
      console.log(`ratio: ${((100 * b.rps) / e.rps).toFixed(0)} % of the echo's req/s (rounds: ${ratios}; target ≥ 80 %), p99 ${(b.p99 / Math.max(1, e.p99)).toFixed(2)}× (target ≤ 2×)`);
      console.log(
        `for reference, the echo served like the bus (createHttpServer): ${t.rps.toFixed(0)} req/s, ${t.cpuUsPerReq.toFixed(0)} µs CPU/request; ` +
          `the bus reaches ${((100 * b.rps) / t.rps).toFixed(0)} % of it and adds ${(b.cpuUsPerReq - t.cpuUsPerReq).toFixed(0)} µs of its own work per request`,
      );
    }

    // 2. Batches of 1000.
    if (only.has('batch')) {
      if (!only.has('intake')) await start('server/src/main.ts', ['api'], { ...env, PORT: String(apiPort), HOST: '127.0.0.1' }, `http://127.0.0.1:${apiPort}/healthz`);
      const apiPid = children.at(-1)!.pid;
      const batchBody = (i: number) => JSON.stringify({ data: Array.from({ length: 1000 }, (_, j) => event(i * 1000 + j, 'batch')) });
      const bb = await load(`http://127.0.0.1:${apiPort}/v1/events`, key, batchBody, { duration, connections: 8, pid: apiPid });
      console.log(`\n## Intake, 1000 events/request`);
      console.log(`bus  : ${(bb.rps * 1000).toFixed(0)} events/s accepted  (${bb.rps.toFixed(1)} req/s, p50 ${bb.p50} ms, p99 ${bb.p99} ms, non-2xx ${bb.non2xx}, CPU per event: ${(bb.cpuUsPerReq / 1000).toFixed(1)} µs in the API process${dbPart(bb.dbUsPerReq / 1000)}) (target ≥ 20 000 events/s)`);
    }
    if (needApi) await stop(children.at(-1)!);

    // 3. Delivery at 150 ms Graph latency, on a database of its own.
    if (needApi && (only.has('delivery') || only.has('e2e'))) {
      await scratch.drop();
      scratch = await scratchDatabase();
      ({ db, key, pixel, env } = scratch);
    }
    const emuPort = freePort();
    let worker: ChildProcess | undefined;
    let emulatorPid: number | undefined;
    if (only.has('delivery') || only.has('e2e')) {
      emulatorPid = (await start('server/src/emulator/main.ts', [], { PORT: String(emuPort), EMULATOR_LATENCY_MS: only.has('delivery') ? '150' : '0', EMULATOR_KEEP_EVENTS: '0' }, `http://127.0.0.1:${emuPort}/__emulator/stats`)).child.pid;
    }
    if (only.has('delivery')) {
      const repo = new EventRepository(db);
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < deliveryEvents; i += 5000) {
        const rows: NewEvent[] = [];
        for (let j = i; j < Math.min(deliveryEvents, i + 5000); j++) {
          rows.push({ pixelId: pixel.id, source: 'server', status: 'queued', payload: { ...event(j, 'deliver'), event_time: now, action_source: 'website', user_data: hashUserData(event(j, 'x').user_data).userData as Record<string, string[]> } });
        }
        await repo.insertMany(rows);
      }
      const t0 = performance.now();
      worker = (await start('server/src/main.ts', ['worker'], { ...env, GRAPH_API_URL: `http://127.0.0.1:${emuPort}` })).child;
      // Progress from the emulator's counters (counting rows in the database would load the very server being measured).
      const accepted = async () => ((await (await fetch(`http://127.0.0.1:${emuPort}/__emulator/stats`)).json()) as { events: number }).events;
      const countDelivered = async () => Number(((await db('events').where({ status: 'delivered' }).count({ n: '*' }).first()) as { n: number }).n);
      let sent = 0;
      let first: { t: number; n: number; cpu: number; db: number; emu: number } | undefined;
      while ((sent = await accepted()) < deliveryEvents && performance.now() - t0 < 120_000) {
        if (!first && sent > 0) first = { t: performance.now(), n: sent, cpu: cpuSeconds(worker.pid), db: cpuSeconds(DB_PID), emu: cpuSeconds(emulatorPid) };
        await new Promise((r) => setTimeout(r, 20));
      }
      let delivered = 0;
      while ((delivered = await countDelivered()) < sent && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
      const t1 = performance.now();
      const secs = (t1 - t0) / 1000;
      const f = first ?? { t: t0, n: 0, cpu: NaN, db: NaN, emu: NaN };
      const steady = (delivered - f.n) / ((t1 - f.t) / 1000);
      const perEvent = (c0: number, c1: number) => (((c1 - c0) * 1e6) / Math.max(1, delivered - f.n)).toFixed(1);
      console.log(`\n## Delivery, Graph API emulator with 150 ms latency, batches of 1000, ${deliveryConcurrency} in flight`);
      console.log(`bus  : ${steady.toFixed(0)} events/s delivered once running (${delivered} in ${secs.toFixed(1)} s including worker start-up: ${(delivered / secs).toFixed(0)} events/s) (target ≥ 10 000 events/s)`);
      console.log(`       CPU per event: ${perEvent(f.cpu, cpuSeconds(worker.pid))} µs in the worker${dbPart(Number(perEvent(f.db, cpuSeconds(DB_PID))))}, ${perEvent(f.emu, cpuSeconds(emulatorPid))} µs in the emulator (Meta's side)`);
    }

    // 5. End-to-end latency at a light load (emulator without added latency). MySQL: API and worker
    // apart, as in production. SQLite is for one process (`npm start`), where intake wakes the
    // delivery loop itself; apart, the worker would only find events by polling.
    if (only.has('e2e')) {
      await fetch(`http://127.0.0.1:${emuPort}/__emulator/configure`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 0 }) });
      const graph = { GRAPH_API_URL: `http://127.0.0.1:${emuPort}` };
      const e2ePort = freePort();
      const e2eEnv = { ...env, ...graph, PORT: String(e2ePort), HOST: '127.0.0.1' };
      const ready = `http://127.0.0.1:${e2ePort}/healthz`;
      if (dialect === 'sqlite') {
        if (worker) await stop(worker);
        await start('server/src/main.ts', ['all'], e2eEnv, ready);
      } else {
        worker ??= (await start('server/src/main.ts', ['worker'], { ...env, ...graph })).child;
        await start('server/src/main.ts', ['api'], e2eEnv, ready);
      }
      await load(`http://127.0.0.1:${e2ePort}/v1/events`, key, (i) => JSON.stringify(event(i, 'e2e')), { duration: 5, connections: 2 });
      const e2e = () => db('events').where('event_id', 'like', 'e2e_%');
      const count = async (q: ReturnType<typeof e2e>) => Number(((await q.count({ n: '*' }).first()) as { n: number | string }).n);
      const accepted = await count(e2e());
      const deadline = performance.now() + 10_000;
      while ((await count(e2e().whereNotNull('delivered_at'))) < accepted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const lat = ((await e2e().whereNotNull('delivered_at').select(db.raw('delivered_at - created_at as ms'))) as Array<{ ms: number }>).map((r) => Number(r.ms)).sort((x, y) => x - y);
      const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
      console.log(`\n## End to end, accepted → delivered (${dialect === 'sqlite' ? 'one process, as npm start runs it' : 'separate API and worker processes'}, 2 connections)`);
      console.log(`bus  : p50 ${pct(50)} ms  p95 ${pct(95)} ms  p99 ${pct(99)} ms over ${lat.length} events${lat.length < accepted ? ` (${accepted - lat.length} of ${accepted} not delivered 10 s after the load)` : ''}`);
    }
    for (const c of children) await stop(c);

    // 4. Normalize + hash on its own.
    if (!only.has('hash')) return;
    const samples = Array.from({ length: 2000 }, (_, i) => event(i, 'h').user_data);
    for (const s of samples) hashUserData(s);
    const n = 40_000;
    const h0 = performance.now();
    for (let i = 0; i < n; i++) hashUserData(samples[i % samples.length]!);
    const us = ((performance.now() - h0) * 1000) / n;
    console.log(`\n## Normalize + SHA-256 of user data (email, phone, first name + 4 unhashed fields)`);
    console.log(`cost : ${us.toFixed(1)} µs per event (${(1e6 / us).toFixed(0)} events/s on one core)`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
