import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createGraphEmulator, type GraphEmulator } from '../../server/src/emulator/emulator';
import { EventRepository } from '../../server/src/events/repository';
import type { EventStatus } from '../../server/src/events/vocabulary';
import { PixelRepository } from '../../server/src/pixels/repository';
import { SettingsRepository } from '../../server/src/settings/repository';
import { SecretBox } from '../../server/src/shared/crypto';
import { createTestDb, DIALECTS, type TestDb } from '../helpers/db';

/**
 * Every ops command line as a real child process (`node --import tsx <file>`, the command its
 * package.json script runs), on a fresh database of each dialect, configured through the
 * environment the server reads (DATABASE_URL, APP_SECRET, GRAPH_API_URL).
 */

// Each child process costs about a CPU second (tsx), more on a busy machine.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const APP_SECRET = 'scripts-test-app-secret-0123456789';
const GOOD_TOKEN = 'EAAgood-scripts-token-0123456789';
const BAD_TOKEN = 'EAAbad-scripts-token-9876543210';
const DAY = 86_400_000;

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
/** The file an `npm run <name>` entry runs; every ops script is `node --import tsx <file>`. */
function entry(name: string): string {
  const m = /^node --import tsx (\S+)$/.exec(pkg.scripts[name] ?? '');
  if (!m) throw new Error(`package.json script ${name} is not "node --import tsx <file>": ${pkg.scripts[name]}`);
  return m[1]!;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BASE_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent' };

function start(script: string, args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry(script)), ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries({ ...BASE_ENV, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `npm run <script> -- ...args` as a child process; stdin gets `input` (or nothing) and is closed. */
function run(script: string, args: string[], env: Record<string, string | undefined>, input = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = start(script, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.on('error', () => undefined); // a command that exits before reading its input
    child.stdin!.end(input);
  });
}

/** At most `n` child processes at a time (each tsx start costs most of a CPU second). */
async function inBatches<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

/** A failure: non-zero exit, and the first line of stderr says what is wrong. */
function expectFailure(r: Result, pattern: RegExp): void {
  expect({ code: r.code, firstLine: r.stderr.split('\n')[0] }).toEqual({ code: 1, firstLine: expect.stringMatching(pattern) });
}

/** The one-line error promised by the new scripts. */
function expectOneLineFailure(r: Result, pattern: RegExp): void {
  expectFailure(r, pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(DIALECTS)('ops scripts on %s', (dialect) => {
  let t: TestDb;
  let emulator: GraphEmulator;
  let env: Record<string, string>;
  const cli = (script: string, args: string[] = [], input?: string) => run(script, args, env, input);

  beforeAll(async () => {
    t = await createTestDb(dialect, { migrate: false });
    emulator = createGraphEmulator({ validAccessTokens: [GOOD_TOKEN] });
    const { url } = await emulator.listen(0);
    env = { DATABASE_URL: t.url, APP_SECRET, GRAPH_API_URL: url };
  });
  afterAll(async () => {
    await emulator.close();
    await t.drop();
  });

  it('migrate: status lists pending migrations (exit 3) on a new database, latest applies them, rollback undoes the batch', async () => {
    const pending = await cli('migrate', ['status']);
    expect(pending.code).toBe(3);
    expect(pending.stdout).toMatch(/^pending {2}\d+_core\.ts$/m);
    expect(pending.stdout).toMatch(/\d+ pending: run npm run migrate -- latest/);

    const latest = await cli('migrate', ['latest']);
    expect(latest).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Batch 1: applied \d+ migration\(s\)/) });
    expect(await t.db.schema.hasTable('events')).toBe(true);
    const done = await cli('migrate', ['status']);
    expect(done).toMatchObject({ code: 0, stdout: expect.stringMatching(/Up to date\.\n$/) });
    expect(done.stdout).not.toMatch(/^pending/m);

    const rollback = await cli('migrate', ['rollback']);
    expect(rollback).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Rolled back batch 1:/) });
    expect(await t.db.schema.hasTable('events')).toBe(false);
    expect((await cli('migrate', ['latest'])).code).toBe(0);
    expect((await cli('migrate', ['latest'])).stdout).toBe('Already up to date.\n');
  });

  it('seed: puts back a missing standard event and leaves the others as they are', async () => {
    await t.db('event_definitions').where({ name: 'Lead' }).delete();
    await t.db('event_definitions').where({ name: 'Search' }).update({ enabled: false });
    const added = await cli('seed');
    expect(added).toMatchObject({ code: 0, stdout: 'Added 1 standard event(s): Lead\n' });
    expect(await t.db('event_definitions').where({ name: 'Lead' }).first()).toBeDefined();
    expect(Boolean((await t.db('event_definitions').where({ name: 'Search' }).first()).enabled)).toBe(false);
    await t.db('event_definitions').where({ name: 'Search' }).update({ enabled: true });
  });

  it('admin:create: creates an admin with the password read from stdin; refuses a short password', async () => {
    const [created, short] = await Promise.all([
      cli('admin:create', ['--email', 'Ops@Example.com'], 'a long enough password\n'),
      cli('admin:create', ['--email', 'short@example.com'], 'short\n'),
    ]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created admin #\d+ ops@example\.com/) });
    const user = await t.db('users').where({ email: 'ops@example.com' }).first();
    expect(user).toMatchObject({ role: 'admin' });
    expect(user.password_hash).toMatch(/^\$argon2id\$/);

    expectFailure(short, /password must have \d+ to \d+ characters/);
    expect(await t.db('users').where({ email: 'short@example.com' }).first()).toBeUndefined();
  });

  it('api-key: create prints the key alone on the last line, list never shows it, revoke revokes it once', async () => {
    const created = await cli('api-key', ['create', '--name', 'checkout-service']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^\S{20,}$/);
    const row = await t.db('api_keys').where({ name: 'checkout-service' }).first();
    expect(JSON.stringify(row)).not.toContain(key); // stored as a hash

    const listed = await cli('api-key', ['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^#${row.id}\\t${row.prefix}…\\tcheckout-service\\t`, 'm'));
    expect(listed.stdout).not.toContain(key);

    expect(await cli('api-key', ['revoke', '--id', String(row.id)])).toMatchObject({ code: 0, stdout: `Revoked API key #${row.id}\n` });
    const [after, again] = await Promise.all([cli('api-key', ['list']), cli('api-key', ['revoke', '--id', String(row.id)])]);
    expect(after.stdout).toMatch(/\tREVOKED /);
    expectFailure(again, new RegExp(`No active API key #${row.id}`));
  });

  describe('pixel', () => {
    const DATASET = '1234567890123';
    let pixelId: number;

    it('add creates a pixel with origins and a test event code; a second add of the dataset id is refused naming --dataset-id', async () => {
      const added = await cli('pixel', ['add', '--dataset-id', DATASET, '--name', 'Main shop', '--origins', 'https://shop.example.com, https://www.example.com/', '--test-event-code', 'TEST4711']);
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/^Created pixel #(\d+) 1234567890123 "Main shop"/);
      pixelId = Number(/#(\d+)/.exec(added.stdout)![1]);
      const pixel = await new PixelRepository(t.db).findById(pixelId);
      expect(pixel).toMatchObject({ datasetId: DATASET, name: 'Main shop', allowedOrigins: ['https://shop.example.com', 'https://www.example.com'], testEventCode: 'TEST4711', hasAccessToken: false, enabled: true });

      expectOneLineFailure(await cli('pixel', ['add', '--dataset-id', DATASET, '--name', 'Again']), /^--dataset-id: Pixel 1234567890123 already exists/);
    });

    it('set-token reads the token from stdin, stores it encrypted under APP_SECRET (never in plain text) and never prints it', async () => {
      const set = await cli('pixel', ['set-token', '--id', String(pixelId)], `  ${GOOD_TOKEN}\n`);
      expect(set).toMatchObject({ code: 0, stdout: `Access token of pixel #${pixelId} ${DATASET} set (…${GOOD_TOKEN.slice(-4)}), stored encrypted.\n` });
      expect(set.stdout + set.stderr).not.toContain(GOOD_TOKEN.slice(0, 12));

      const row = await t.db('pixels').where({ id: pixelId }).first();
      expect(row.access_token_enc).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(GOOD_TOKEN);
      expect(row.access_token_last4).toBe(GOOD_TOKEN.slice(-4));
      expect(new SecretBox(APP_SECRET).open(row.access_token_enc)).toBe(GOOD_TOKEN); // trimmed, sealed with the server's secret

      const [empty, short, unknown] = await Promise.all([
        cli('pixel', ['set-token', '--id', String(pixelId)], '\n  \n'),
        cli('pixel', ['set-token', '--id', String(pixelId)], 'EAA-x\n'),
        cli('pixel', ['set-token', '--id', '999'], GOOD_TOKEN),
      ]);
      expectOneLineFailure(empty, /^No access token on standard input/);
      expectOneLineFailure(short, /^The access token looks too short/);
      expect(short.stderr).not.toContain('EAA-x');
      expectOneLineFailure(unknown, /^--id: no pixel #999/);
      expect(new SecretBox(APP_SECRET).open((await t.db('pixels').where({ id: pixelId }).first()).access_token_enc)).toBe(GOOD_TOKEN);
    });

    it('list shows id, dataset id, name, state and only …last4 of the token', async () => {
      const listed = await cli('pixel', ['list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toBe(`#${pixelId}\t${DATASET}\tMain shop\tenabled, delivering\ttoken …${GOOD_TOKEN.slice(-4)}\ttest event code TEST4711\n`);
      expect(listed.stdout).not.toContain(GOOD_TOKEN.slice(0, 12));
    });

    it('test sends a test PageView through delivery to GRAPH_API_URL and prints Meta’s events_received and fbtrace_id', async () => {
      emulator.reset();
      const tested = await cli('pixel', ['test', '--id', String(pixelId)]);
      expect(tested.code).toBe(0);
      const received = emulator.received();
      expect(received).toEqual([expect.objectContaining({ pixelId: DATASET, testEventCode: 'TEST4711', event: expect.objectContaining({ event_name: 'PageView', event_id: expect.stringMatching(/^mcb-test-/) }) })]);
      expect(tested.stdout).toContain(`events_received: 1\nfbtrace_id: ${received[0]!.fbtraceId}\n`);
      const row = await t.db('events').where({ event_id: received[0]!.event.event_id }).first();
      expect(row).toMatchObject({ status: 'delivered', fbtrace_id: received[0]!.fbtraceId });
    });

    it('test with a token Meta rejects exits non-zero with Meta’s message, and the pixel is paused until set-token', async () => {
      expect((await cli('pixel', ['set-token', '--id', String(pixelId)], BAD_TOKEN)).code).toBe(0);
      emulator.reset();
      const tested = await cli('pixel', ['test', '--id', String(pixelId)]);
      expectOneLineFailure(tested, /^Meta rejected the access token of pixel #\d+ \(code 190, fbtrace_id [\w-]+\): Invalid OAuth access token - Cannot parse access token\. .*set-token --id/);
      expect(emulator.received()).toEqual([]);
      expect(emulator.requests()).toEqual([expect.objectContaining({ pixelId: DATASET, status: 400, errorCode: 190 })]);
      expect(tested.stderr).toMatch(/the test event stays queued/);
      const kept = (await t.db('events').where('event_id', 'like', 'mcb-test-%').orderBy('id', 'desc').first()) as { status: string };
      expect(kept.status).toBe('queued');
      const [listed, again] = await Promise.all([cli('pixel', ['list']), cli('pixel', ['test', '--id', String(pixelId)])]);
      expect(listed.stdout).toMatch(/\tenabled, PAUSED: Meta rejected the access token \(code 190\)/);
      expectOneLineFailure(again, /^Delivery for pixel #\d+ is paused/);

      const fixed = await cli('pixel', ['set-token', '--id', String(pixelId)], GOOD_TOKEN);
      expect(fixed.stdout).toMatch(/Delivery for this pixel resumes\.\n$/);
      expect((await new PixelRepository(t.db).findById(pixelId))?.pausedAt).toBeNull();
    });
  });

  describe('replay and purge', () => {
    const now = Date.now();
    let ids: Record<string, number>;
    const statusOf = async () => {
      const rows = (await t.db('events').whereIn('id', Object.values(ids)).select('id', 'status')) as Array<{ id: number; status: EventStatus }>;
      const byId = new Map(rows.map((r) => [Number(r.id), r.status]));
      return Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, byId.get(id)]));
    };

    beforeAll(async () => {
      const pixels = new PixelRepository(t.db);
      const a = (await pixels.findByDatasetId('1234567890123'))!;
      const b = await pixels.create({ datasetId: '2223334445556', name: 'Second shop' });
      const events = new EventRepository(t.db);
      // name: [pixel, event name, status, received days ago]
      const spec: Record<string, [number, string, EventStatus, number]> = {
        a1: [a.id, 'Purchase', 'failed', 3],
        a2: [a.id, 'Purchase', 'not_delivered', 1],
        a3: [a.id, 'Lead', 'failed', 1],
        a4: [a.id, 'Purchase', 'delivered', 1],
        a5: [a.id, 'Purchase', 'skipped', 1],
        b1: [b.id, 'Purchase', 'failed', 1],
        b2: [b.id, 'Purchase', 'not_delivered', 10],
        b3: [b.id, 'Lead', 'delivered', 10],
        old_skipped: [b.id, 'Lead', 'skipped', 40],
        old_expired: [b.id, 'Lead', 'expired', 40],
        old_queued: [b.id, 'Lead', 'queued', 40],
      };
      ids = {};
      for (const [key, [pixelId, name, status, daysAgo]] of Object.entries(spec)) {
        const eventId = `seed-${key}`;
        const at = now - daysAgo * DAY;
        await events.insertMany([{ pixelId, source: 'server', status: 'queued', payload: { event_name: name, event_time: Math.floor(at / 1000), event_id: eventId, action_source: 'website', user_data: { client_user_agent: 'UA' } } }]);
        const row = (await events.findByKey(pixelId, name, eventId))!;
        await t.db('events').where({ id: row.id }).update({ status, created_at: at, updated_at: at, attempts: status === 'queued' ? 0 : 1, next_attempt_at: status === 'queued' ? at : null });
        if (status !== 'queued' && status !== 'skipped') {
          await events.addAttempts([row.id], { attemptedAt: at, outcome: status, httpStatus: 400, errorCode: 100, errorSubcode: null, isTransient: false, message: 'seeded', fbtraceId: null, durationMs: 5, batchSize: 1 });
        }
        ids[key] = row.id;
      }
    });

    it('replay --dry-run prints the exact count of matching failed/not_delivered events and changes nothing', async () => {
      const before = await statusOf();
      const [dry, all] = await Promise.all([cli('replay', ['--pixel', '1234567890123', '--event', 'Purchase', '--until', iso(now - 2 * DAY), '--dry-run']), cli('replay', ['--dry-run'])]);
      expect(dry).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Dry run: 1 event\(s\) would be re-queued \(status failed, not_delivered; pixel 1234567890123; event Purchase; until .*\)\. Nothing was changed\.\n$/) });
      expect(all).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Dry run: 5 event\(s\) would be re-queued/) });
      expect(await statusOf()).toEqual(before);
    });

    it('replay re-queues exactly the events matching pixel, name, status and time, keeping their attempts', async () => {
      const [first, second] = await Promise.all([
        cli('replay', ['--pixel', '1234567890123', '--event', 'Purchase', '--since', iso(now - 2 * DAY)]),
        cli('replay', ['--pixel', '2223334445556', '--status', 'not_delivered']),
      ]);
      expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Re-queued 1 event\(s\) \(status failed, not_delivered; pixel 1234567890123; event Purchase; received from /) });
      expect(second).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Re-queued 1 event\(s\)/) });
      expect(await statusOf()).toEqual({
        a1: 'failed', a2: 'queued', a3: 'failed', a4: 'delivered', a5: 'skipped', b1: 'failed', b2: 'queued', b3: 'delivered',
        old_skipped: 'skipped', old_expired: 'expired', old_queued: 'queued',
      });
      const requeued = await t.db('events').where({ id: ids.a2 }).first();
      expect(Number(requeued.next_attempt_at)).toBeGreaterThanOrEqual(now);
      expect(await t.db('delivery_attempts').whereIn('event_row_id', [ids.a2!, ids.b2!]).select('outcome')).toEqual(expect.arrayContaining([{ outcome: 'not_delivered' }, { outcome: 'not_delivered' }]));
      expect(await cli('replay', ['--dry-run', '--status', 'failed,not_delivered'])).toMatchObject({ stdout: expect.stringMatching(/^Dry run: 3 event\(s\)/) });
    });

    it('purge --dry-run counts finished events older than the retention setting (or --older-than-days) and changes nothing; purge deletes them and their attempts', async () => {
      const count = async () => Number(((await t.db('events').count({ n: '*' }).first()) as { n: number | string }).n);
      const total = await count();
      const byDefault = await cli('purge', ['--dry-run']);
      expect(byDefault).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Dry run: 2 finished event\(s\) received before \S+ \(older than 30 days, from the retention setting\) would be deleted/) });
      await new SettingsRepository(t.db).save({ ...(await new SettingsRepository(t.db).get()), retentionDays: 5 });
      const [bySetting, byFlag] = await Promise.all([cli('purge', ['--dry-run']), cli('purge', ['--older-than-days', '2', '--dry-run'])]);
      expect(bySetting.stdout).toMatch(/^Dry run: 3 finished event\(s\) received before \S+ \(older than 5 days, from the retention setting\)/);
      expect(byFlag.stdout).toMatch(/^Dry run: 4 finished event\(s\) .*\(older than 2 days, from --older-than-days\)/);
      expect(await count()).toBe(total);

      const purged = await cli('purge', ['--older-than-days', '5']);
      expect(purged).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Deleted 3 finished event\(s\) received before .* with their delivery attempts\.\n$/) });
      const left = await statusOf();
      expect(left).toMatchObject({ b3: undefined, old_skipped: undefined, old_expired: undefined, old_queued: 'queued', a1: 'failed', b2: 'queued' });
      expect(await t.db('delivery_attempts').whereIn('event_row_id', [ids.b3!, ids.old_expired!]).count({ n: '*' }).first()).toEqual({ n: 0 });
      expect(await count()).toBe(total - 3);
    });
  });
});

describe('ops scripts: --help, bad arguments, graph:emulator', () => {
  let t: TestDb;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDb('sqlite', { migrate: false });
    env = { DATABASE_URL: t.url, APP_SECRET };
  });
  afterAll(async () => t.drop());

  it('every script prints its usage with --help and exits 0', async () => {
    const cases: Array<[string, RegExp]> = [
      ['migrate', /^Usage: npm run migrate -- <latest\|rollback\|status>/],
      ['seed', /^Usage: npm run seed/],
      ['admin:create', /^Usage: npm run admin:create -- --email EMAIL/],
      ['api-key', /^Usage: npm run api-key -- <command>/],
      ['pixel', /^Usage: npm run pixel -- <command>[\s\S]*add --dataset-id ID --name NAME[\s\S]*set-token --id ID[\s\S]*list[\s\S]*test --id ID/],
      ['replay', /^Usage: npm run replay -- \[--pixel DATASET_ID\][\s\S]*--dry-run[\s\S]*Only failed .* and not_delivered .* can be replayed/],
      ['purge', /^Usage: npm run purge -- \[--older-than-days N\] \[--dry-run\]/],
      ['graph:emulator', /^Usage: npm run graph:emulator[\s\S]*EMULATOR_LATENCY_MS/],
    ];
    const results = await inBatches(cases, 4, ([script]) => run(script, ['--help'], { DATABASE_URL: 'mysql://nobody@127.0.0.1:1/none' }));
    results.forEach((r, i) => expect({ script: cases[i]![0], code: r.code, stdout: r.stdout }).toEqual({ script: cases[i]![0], code: 0, stdout: expect.stringMatching(cases[i]![1]) }));
  });

  it('a bad argument exits non-zero with a message naming it', async () => {
    const cases: Array<{ script: string; args: string[]; env?: Record<string, string>; error: RegExp; oneLine?: boolean }> = [
      { script: 'migrate', args: ['sideways'], error: /^Unknown command sideways\./ },
      { script: 'seed', args: [], env: { DATABASE_URL: 'postgres://db/bus' }, error: /^Invalid configuration: DATABASE_URL must be mysql:/ },
      { script: 'admin:create', args: ['--email', 'not-an-email'], error: /--email EMAIL is required and must be an email address/ },
      { script: 'api-key', args: ['create'], error: /^create needs --name NAME/ },
      { script: 'api-key', args: ['revoke', '--id', 'x'], error: /^revoke needs --id ID/ },
      { script: 'api-key', args: ['create', '--nmae', 'checkout'], error: /^Unknown option --nmae/, oneLine: true },
      { script: 'api-key', args: ['create', 'checkout'], error: /^Unexpected argument "checkout"/, oneLine: true },
      { script: 'admin:create', args: ['--email', 'ops@example.com', '--rest'], error: /^Unknown option --rest/, oneLine: true },
      { script: 'pixel', args: ['add', '--dataset-id', '12ab', '--name', 'Shop'], error: /^--dataset-id must be the numeric dataset \(pixel\) id/, oneLine: true },
      { script: 'pixel', args: ['add', '--dataset-id', '123456', '--name', 'Shop', '--origins', 'ftp://files.example.com'], error: /^--origins \("ftp:\/\/files\.example\.com"\) must be an origin/, oneLine: true },
      { script: 'pixel', args: ['add', '--dataset-id', '123456', '--name', 'Shop', '--token', 'EAAsecret-on-argv-123'], error: /^--token: the access token is never taken from the command line/, oneLine: true },
      { script: 'pixel', args: ['add', '--dataset-id', '123456'], error: /^add needs --name NAME/, oneLine: true },
      { script: 'pixel', args: ['test'], error: /^test needs --id ID/, oneLine: true },
      { script: 'pixel', args: ['set-token', '--id', '0'], error: /^--id must be a positive whole number/, oneLine: true },
      { script: 'pixel', args: ['list', '--all'], error: /^Unknown option --all/, oneLine: true },
      { script: 'pixel', args: ['remove'], error: /^Unknown command remove/, oneLine: true },
      { script: 'replay', args: ['--status', 'delivered'], error: /^--status: delivered events cannot be replayed, only failed and not_delivered/, oneLine: true },
      { script: 'replay', args: ['--status', 'failed,lost'], error: /^--status: unknown status "lost"/, oneLine: true },
      { script: 'replay', args: ['--since', 'yesterday'], error: /^--since must be an ISO 8601 date/, oneLine: true },
      { script: 'replay', args: ['--until', '2026-05-01T10:00'], error: /^--until must be an ISO 8601 date or a time with its zone/, oneLine: true },
      { script: 'replay', args: ['--since', '2026-05-02', '--until', '2026-05-01'], error: /^--since must not be later than --until/, oneLine: true },
      { script: 'replay', args: ['--pixel', '99999'], error: /^--pixel: no pixel with dataset id 99999/, oneLine: true },
      { script: 'replay', args: ['--dry-rn'], error: /^Unknown option --dry-rn/, oneLine: true },
      { script: 'replay', args: ['--event'], error: /^--event needs a value/, oneLine: true },
      { script: 'purge', args: ['--older-than-days', '0'], error: /^--older-than-days must be a whole number of days from 1 to 3650 \(got "0"\)/, oneLine: true },
      { script: 'purge', args: ['--older-than-days', 'ten'], error: /^--older-than-days must be a whole number/, oneLine: true },
      { script: 'purge', args: ['--dry-run=yes'], error: /^--dry-run takes no value/, oneLine: true },
      { script: 'seed', args: ['--dry-run'], error: /^Unknown option --dry-run/, oneLine: true },
      { script: 'graph:emulator', args: [], env: { PORT: 'eighty' }, error: /^PORT must be a non-negative integer, got "eighty"/ },
      { script: 'graph:emulator', args: ['--port', '4011'], error: /^Unexpected argument "--port" \(the emulator is configured by environment variables/ },
    ];
    const results = await inBatches(cases, 4, (c) => run(c.script, c.args, { ...env, ...c.env }));
    results.forEach((r, i) => {
      const c = cases[i]!;
      expect({ command: [c.script, ...c.args].join(' '), code: r.code, stderr: r.stderr.split('\n')[0] }).toEqual({ command: [c.script, ...c.args].join(' '), code: 1, stderr: expect.stringMatching(c.error) });
      if (c.oneLine) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
    expect(results.map((r) => r.stdout + r.stderr).join('')).not.toContain('EAAsecret-on-argv-123');
  });

  it('graph:emulator listens on PORT, accepts a Conversions API request, lists it, and stops on SIGTERM', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const child = start('graph:emulator', [], { PORT: String(port) });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const t0 = Date.now();
      while (!out.includes('listening on')) {
        if (Date.now() - t0 > 20_000 || child.exitCode !== null) throw new Error(`emulator did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toContain(`Graph API emulator listening on http://127.0.0.1:${port}`);
      const base = `http://127.0.0.1:${port}`;
      const event = { event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), event_id: 'emu-1', action_source: 'website', event_source_url: 'https://shop.example.com/', user_data: { client_user_agent: 'UA', client_ip_address: '203.0.113.9' }, custom_data: { currency: 'EUR', value: 5 } };
      const res = await fetch(`${base}/v24.0/1234567890/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'any-token', data: [event] }) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events_received: number; fbtrace_id: string };
      expect(body).toMatchObject({ events_received: 1, fbtrace_id: expect.any(String) });
      const listed = (await (await fetch(`${base}/__emulator/events`)).json()) as { data: Array<{ pixelId: string; fbtraceId: string; event: { event_id: string } }> };
      expect(listed.data).toEqual([expect.objectContaining({ pixelId: '1234567890', fbtraceId: body.fbtrace_id, event: expect.objectContaining({ event_id: 'emu-1' }) })]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
