import { AppError, ConflictError } from '../server/src/shared/errors';
import { maskSecret } from '../server/src/shared/crypto';
import { accessToken as AccessToken, CreatePixel, pixelRecord } from '../server/src/admin/pixels';
import { EventQueryRepository, type AttemptDetail } from '../server/src/events/query-repository';
import type { EventRecord } from '../server/src/events/repository';
import { CliError, migrateLatest, openContainer, options, readSecret, runCli } from './cli';

const USAGE = `
Usage: npm run pixel -- <command> [options]

Manage pixels (Meta datasets) and their Conversions API access tokens.
Uses DATABASE_URL and APP_SECRET like the server (default: SQLite under ./data/).

Commands:
  add --dataset-id ID --name NAME [--origins https://a.com,https://b.com] [--test-event-code CODE]
        add a pixel. --origins lists the sites allowed to send browser events (* for any);
        --test-event-code makes Meta show this pixel's events under Test events.
        The access token is never taken from the command line: set it with set-token.
  set-token --id ID
        set (or replace) the pixel's access token, read from standard input so it never lands
        in shell history: typed without echo on a terminal, or piped:
          printf '%s' "$META_TOKEN" | npm run pixel -- set-token --id 1
        It is stored encrypted; a pixel paused for a rejected token resumes delivery.
  list  list pixels: id, dataset id, name, enabled, paused, token (…last4 only), test event code
  test --id ID
        send a test PageView for the pixel through the normal path (intake, queue, delivery to
        GRAPH_API_URL), as the dashboard's "Send test event" does, and wait for Meta's answer:
        prints events_received and fbtrace_id, or exits non-zero with Meta's error message.
        Delivery runs in this command like a worker would, so other due events may go out with it.
        When Meta rejects the token, the pixel is paused until set-token gives it a new one.
`;

/** How long `test` waits for Meta's answer (a worker elsewhere may be the one sending it). */
const TEST_TIMEOUT_MS = 30_000;

type OpenContainer = Awaited<ReturnType<typeof openContainer>>;

const FLAG_OF: Record<string, string> = { dataset_id: '--dataset-id', name: '--name', allowed_origins: '--origins', test_event_code: '--test-event-code' };

function pixelId(raw: string | undefined, command: string): number {
  if (raw === undefined) throw new CliError(`${command} needs --id ID (see: npm run pixel -- list)`);
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new CliError(`--id must be a positive whole number, the # of npm run pixel -- list (got "${raw.slice(0, 40)}")`);
  return Number(raw);
}

void runCli(USAGE, async ({ config, db, args }) => {
  const command = args[0];
  if (!command || command.startsWith('-')) throw new CliError(`Missing command: add, set-token, list or test (see --help)`);
  if (!['add', 'set-token', 'list', 'test'].includes(command)) throw new CliError(`Unknown command ${command}: use add, set-token, list or test (see --help)`);
  const rest = args.slice(1);

  // Arguments are checked before the database is touched.
  let run: (c: OpenContainer) => Promise<void>;
  if (command === 'add') {
    const { values } = options(rest, { 'dataset-id': { type: 'string' }, name: { type: 'string' }, origins: { type: 'string' }, 'test-event-code': { type: 'string' }, token: { type: 'string' }, 'access-token': { type: 'string' } });
    if (values.token !== undefined || values['access-token'] !== undefined) {
      throw new CliError(`--${values.token !== undefined ? 'token' : 'access-token'}: the access token is never taken from the command line (it would stay in shell history); add the pixel, then pipe the token to: npm run pixel -- set-token --id ID`);
    }
    if (values.name === undefined) throw new CliError('add needs --name NAME (how the dashboard shows the pixel, e.g. "Main shop")');
    const origins = values.origins?.split(',').map((o) => o.trim()).filter(Boolean);
    const parsed = CreatePixel.safeParse({ dataset_id: values['dataset-id'], name: values.name, allowed_origins: origins, test_event_code: values['test-event-code'] });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const [field, index] = issue.path;
      const value = field === 'allowed_origins' && typeof index === 'number' ? ` ("${origins?.[index]}")` : '';
      throw new CliError(`${FLAG_OF[String(field)] ?? String(field)}${value} ${issue.message}`);
    }
    run = async (c) => {
      try {
        const pixel = await c.admin.pixels.create(parsed.data);
        const origins = pixel.allowedOrigins.length ? pixel.allowedOrigins.join(', ') : 'none (server events only)';
        process.stdout.write(
          `Created pixel #${pixel.id} ${pixel.datasetId} "${pixel.name}" (browser origins: ${origins}; test event code: ${pixel.testEventCode ?? 'none'}).\n` +
            `Next, give it its access token on standard input: npm run pixel -- set-token --id ${pixel.id}\n`,
        );
      } catch (err) {
        if (err instanceof ConflictError) throw new CliError(`--dataset-id: ${err.message}`);
        throw err;
      }
    };
  } else if (command === 'set-token') {
    const id = pixelId(options(rest, { id: { type: 'string' } }).values.id, 'set-token');
    run = async (c) => {
      const pixel = await c.pixelRepo.findById(id);
      if (!pixel) throw new CliError(`--id: no pixel #${id} (see: npm run pixel -- list)`);
      const token = await readSecret(`Access token for pixel #${id} ${pixel.datasetId} (not shown as you type): `);
      if (!token) throw new CliError('No access token on standard input: pipe it in or type it at the prompt');
      const checked = AccessToken.safeParse(token);
      if (!checked.success) throw new CliError(`The access token ${checked.error.issues[0]!.message}`); // never echoes the token
      await c.pixels.update(id, { accessToken: checked.data }, 'the command line');
      process.stdout.write(`Access token of pixel #${id} ${pixel.datasetId} set (${maskSecret(checked.data)}), stored encrypted.${pixel.pausedAt !== null ? ' Delivery for this pixel resumes.' : ''}\n`);
    };
  } else if (command === 'list') {
    options(rest, {});
    run = async (c) => {
      const pixels = await c.pixelRepo.list();
      if (!pixels.length) process.stdout.write('No pixels yet. Add one: npm run pixel -- add --dataset-id ID --name NAME\n');
      for (const p of pixels.map((x) => pixelRecord(x))) {
        const state = [p.enabled ? 'enabled' : 'disabled', p.paused ? `PAUSED: ${p.paused_reason ?? ''}` : 'delivering'];
        const token = p.access_token_hint ? `token ${p.access_token_hint}` : 'no token';
        const test = p.test_event_code_active ? `test event code ${p.test_event_code}` : 'no test event code';
        process.stdout.write(`#${p.id}\t${p.dataset_id}\t${p.name}\t${state.join(', ')}\t${token}\t${test}\n`);
      }
    };
  } else {
    const id = pixelId(options(rest, { id: { type: 'string' } }).values.id, 'test');
    run = async (c) => testPixel(c, new EventQueryRepository(db), id);
  }

  await migrateLatest(db);
  const c = await openContainer(config, db);
  try {
    await run(c);
  } finally {
    await c.close();
  }
});

/** `test`: the dashboard's test event (PixelAdminService.sendTestEvent), then delivery until Meta answers. */
async function testPixel(c: OpenContainer, query: EventQueryRepository, id: number): Promise<void> {
  const pixel = await c.pixelRepo.findById(id);
  if (!pixel) throw new CliError(`--id: no pixel #${id} (see: npm run pixel -- list)`);
  // Refused up front rather than queued: delivery would pause the pixel or hold the event back.
  if (!pixel.hasAccessToken) throw new CliError(`Pixel #${id} has no access token yet: set one first with npm run pixel -- set-token --id ${id}`);
  if (pixel.pausedAt !== null) throw new CliError(`Delivery for pixel #${id} is paused (${pixel.pausedReason ?? 'no reason given'}): set a new token with set-token, or lift the pause in the dashboard`);

  let sent;
  try {
    sent = await c.admin.pixels.sendTestEvent(id);
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    throw err;
  }
  if (sent.status !== 'queued' || sent.id === null) throw new CliError(`The test event was not queued (${sent.status}): ${sent.warnings.join(' ') || 'no reason given'}`);
  for (const w of sent.warnings) process.stdout.write(`Note: ${w}\n`);
  process.stdout.write(`Sending test event ${sent.event_name} ${sent.event_id} (event #${sent.id}) for pixel #${id} ${pixel.datasetId}${sent.test_event_code ? ` with test event code ${sent.test_event_code}` : ''}…\n`);

  const { event, last } = await awaitAnswer(c, query, sent.id);
  const trace = last.fbtraceId ?? event.fbtraceId;
  if (event.status === 'delivered') {
    process.stdout.write(`Meta accepted it.\nevents_received: ${last.batchSize}\nfbtrace_id: ${trace ?? '(none)'}\n`);
    return;
  }
  const why = `${last.errorCode !== null ? `code ${last.errorCode}${last.errorSubcode !== null ? `/${last.errorSubcode}` : ''}, ` : ''}fbtrace_id ${trace ?? '(none)'}`;
  const message = last.message ?? event.lastErrorMessage ?? 'no message';
  if (last.outcome === 'paused') {
    throw new CliError(`Meta rejected the access token of pixel #${id} (${why}): ${message}. Delivery for this pixel is paused until it gets a new token (npm run pixel -- set-token --id ${id}); the test event stays queued and goes out then.`);
  }
  if (event.status === 'failed') throw new CliError(`Meta rejected the test event (${why}): ${message}`);
  throw new CliError(`Meta did not accept the test event this time (${why}): ${message}. It is ${event.status === 'retrying' ? 'retried later by the worker' : `now ${event.status}`}.`);
}

/** Runs delivery rounds until the event has an answer recorded (here or by a worker elsewhere). */
async function awaitAnswer(c: OpenContainer, query: EventQueryRepository, eventRowId: number): Promise<{ event: EventRecord; last: AttemptDetail }> {
  const deadline = Date.now() + TEST_TIMEOUT_MS;
  for (;;) {
    await c.deliverer.runOnce();
    const event = await c.events.findById(eventRowId);
    if (!event) throw new CliError(`Test event #${eventRowId} is gone (was the pixel deleted?)`);
    const last = (await query.attempts(eventRowId)).filter((a) => a.outcome !== 'split').at(-1);
    if (last && event.status !== 'sending') return { event, last };
    if (Date.now() > deadline) throw new CliError(`No answer from Meta within ${TEST_TIMEOUT_MS / 1000} s; test event #${eventRowId} is ${event.status} and stays in the queue`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
