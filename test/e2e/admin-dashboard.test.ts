/**
 * The dashboard SPA in real Chromium, built by Vite and served by the real server
 * (`serveAdminSpa` in front of the bus's Express app), against the real admin API, database,
 * delivery and Graph API emulator. Screenshots of the main pages go to test/artifacts/admin-*.png.
 *
 * The SPA is built once into a temp folder by this file (a couple of seconds), so the suite
 * needs nothing built beforehand; ADMIN_UI_DIST=<dir> uses an existing build instead.
 * SQLite by default; ADMIN_E2E_DIALECT=mysql runs the same suite on MariaDB.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHttpServer } from '../../server/src/http/server';
import { serveAdminSpa } from '../../server/src/http/spa';
import { startBus, type Bus } from '../helpers/harness';
import { launchChromium, screenshot, waitFor } from '../helpers/browser';
import type { TestDialect } from '../helpers/db';
import { event, intake, seedDashboard } from './fixtures/admin/seed';

const ROOT = path.resolve(__dirname, '../..');
const DIALECT: TestDialect = process.env.ADMIN_E2E_DIALECT === 'mysql' ? 'mysql' : 'sqlite';
const ADMIN = { email: 'marketing.lead@example.com', password: 'a long and careful passphrase' };
const VIEWER = { email: 'analyst@example.com', password: 'another long passphrase' };

let bus: Bus;
let server: http.Server;
let base: string;
let browser: Browser;
let distDir: string;
let builtHere = false;

/** What went wrong in a page: uncaught errors, console errors (except the expected 401 before sign-in) and CSP violations. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (/status of 401/.test(text)) return; // auth/me before signing in
    problems.push(`console: ${text}`);
  });
  return problems;
}

async function newPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  // Nothing leaves the machine (react-admin telemetry is off anyway).
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, problems: watch(page) };
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/admin/`);
  await page.waitForURL(/\/admin\/login$/);
  await page.locator('input[name="email"]').fill(who.email);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('dashboard').waitFor();
}

/** Screenshot from the top of the page (react-admin hides its app bar on scroll), once MUI's transitions are over. */
async function snap(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
  await screenshot(page, name);
}

const storedEvent = (eventId: string) => bus.testDb.db('events').where({ event_id: eventId }).first() as Promise<{ id: number; status: string } | undefined>;

/** Sends events while Meta answers 500 to everything (one attempt each, as the tests set it): each ends not_delivered. Meta stays failing. */
async function sendUndeliverable(events: Array<ReturnType<typeof event>>): Promise<Array<{ id: number; status: string }>> {
  bus.emulator.configure({ failProbability: 1, failWith: { kind: 'http500' } });
  await intake(bus, events);
  await bus.drain();
  const ids = events.map((e) => String(e.event_id));
  const stored = await Promise.all(ids.map(storedEvent));
  for (const [i, row] of stored.entries()) expect([ids[i], row?.status]).toEqual([ids[i], 'not_delivered']);
  return stored as Array<{ id: number; status: string }>;
}

beforeAll(async () => {
  if (process.env.ADMIN_UI_DIST) {
    distDir = path.resolve(process.env.ADMIN_UI_DIST);
  } else {
    distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcb-admin-ui-'));
    builtHere = true;
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(ROOT, 'admin-ui/vite.config.mts'), '--outDir', distDir, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, NODE_ENV: 'production' }, // jest sets NODE_ENV=test, which would make Vite bundle React's development build
    });
  }
  expect(fs.existsSync(path.join(distDir, 'index.html'))).toBe(true);

  // No Agenda processor here: Agenda 6 leaves a ref'd 5-minute timer per job it ran (JobProcessor
  // checkIfJobIsStillAlive), which would keep Jest alive long after the suite. The "retry all
  // matching" test plays the worker: it picks up the queued Agenda job and runs its handler.
  bus = await startBus(DIALECT);
  await bus.c.admin.users.create({ email: ADMIN.email, password: ADMIN.password, role: 'admin' });
  await bus.c.admin.users.create({ email: VIEWER.email, password: VIEWER.password, role: 'viewer' });
  await seedDashboard(bus);

  // The server as production runs it: security headers, the SPA under /admin/, then the bus's routes.
  const app = express();
  app.use(helmet(), serveAdminSpa(distDir));
  app.use(bus.app);
  server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await bus?.stop();
  if (builtHere && distDir) fs.rmSync(distDir, { recursive: true, force: true });
}, 60_000);

describe('serving the SPA', () => {
  it('answers index.html for client routes, real files for assets, and never touches /admin/api', async () => {
    const get = (p: string) => fetch(`${base}${p}`, { redirect: 'manual' });
    const root = await get('/admin');
    expect(root.status).toBe(301);
    expect(root.headers.get('location')).toBe('/admin/');

    const deep = await get('/admin/events/12/show');
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toMatch(/text\/html/);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(deep.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await deep.text();
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();

    const js = await get(asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    expect((await get('/admin/assets/missing-0000.js')).status).toBe(404);

    const api = await get('/admin/api/nope');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
    expect((await get('/admin/api/events')).status).toBe(401);
  });
});

describe('the dashboard as an admin', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ context, page, problems } = await newPage());
  });
  afterAll(async () => {
    await context?.close();
  });
  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  it('signs in with email and password and shows the dashboard with its charts and banners', async () => {
    await page.goto(`${base}/admin/`);
    await page.waitForURL(/\/admin\/login$/);
    // A wrong password is refused in words.
    await page.locator('input[name="email"]').fill(ADMIN.email);
    await page.locator('input[name="password"]').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is incorrect').waitFor();
    await snap(page, 'admin-login');

    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('chart-over-time').waitFor();
    await page.getByTestId('chart-status-split').waitFor();
    await page.getByTestId('top-error').first().waitFor();
    await expect(page.getByTestId('top-errors').textContent()).resolves.toContain('Invalid parameter');
    await expect(page.getByTestId('banner-paused').textContent()).resolves.toContain('Old landing pages');
    await expect(page.getByTestId('banner-test-code').textContent()).resolves.toContain('TEST4711');
    await expect(page.getByTestId('banner-undelivered').textContent()).resolves.toContain('1 event was not delivered');
    await expect(page.getByTestId('split-delivered').textContent()).resolves.toContain('8');
    await snap(page, 'admin-dashboard');
  });

  it('disables an event with one click in the event definitions list, and intake answers skipped for it', async () => {
    expect(await intake(bus, [event('Contact', 'contact-before')])).toEqual(['queued']);

    await page.getByRole('menuitem', { name: 'Event definitions' }).click();
    await page.waitForURL(/\/admin\/event-definitions/);
    const toggle = page.getByTestId('toggle-Contact').locator('input');
    await expect(toggle.isChecked()).resolves.toBe(true);
    await toggle.click();
    await page.getByText('Contact is off: new Contact events are stored as skipped and not sent to Meta.').waitFor();
    await expect(toggle.isChecked()).resolves.toBe(false);
    expect(page.url()).toMatch(/\/admin\/event-definitions$/); // the click toggled, it did not open the row
    await snap(page, 'admin-event-definitions');

    expect(await intake(bus, [event('Contact', 'contact-after')])).toEqual(['skipped']);
    await expect(storedEvent('contact-after')).resolves.toMatchObject({ status: 'skipped' });
  });

  it('shows settings validation errors from the server on the field, then saves retry settings', async () => {
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.waitForURL(/\/admin\/settings/);
    const base_ = page.getByLabel('First wait before a retry (milliseconds)');
    const max = page.getByLabel('Longest wait between retries (milliseconds)');
    await base_.fill('600000');
    await max.fill('60000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    // Only the server knows this rule; its message lands under the field.
    await page.getByText('must be at least the first wait').waitFor();
    await snap(page, 'admin-settings-error');
    // The refused save is logged by the browser (400) and by react-admin: expected here.
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 400|maximum backoff must be at least/.test(p)));

    await base_.fill('1000');
    await page.getByLabel('Attempts per event').fill('1');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(bus.c.settings.get()).resolves.toMatchObject({ retry: { maxAttempts: 1, baseBackoffMs: 1000, maxBackoffMs: 60000 } });
    await snap(page, 'admin-settings');
  });

  it('finds a not_delivered event by filter, retries it from the list, and it is delivered', async () => {
    const [failed] = await sendUndeliverable([event('Purchase', 'order-4711', { custom_data: { currency: 'EUR', value: 129.9 } })]);

    await page.getByRole('menuitem', { name: 'Events' }).click();
    await page.waitForURL(/\/admin\/events/);
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Not delivered' }).click();
    await page.getByLabel('Event ID starts with').fill('order-47');
    const row = page.locator('tbody tr', { hasText: 'order-4711' });
    await waitFor(async () => (await page.locator('tbody tr').count()) === 1 && (await row.count()) === 1, 'the filtered list to show only order-4711');
    await expect(row.locator('[data-status]').getAttribute('data-status')).resolves.toBe('not_delivered');
    await snap(page, 'admin-events-not-delivered');

    bus.emulator.configure({ failProbability: 0 });
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Retry 1 event?').waitFor();
    await snap(page, 'admin-events-retry-confirm');
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('1 event queued again').waitFor();
    await expect(storedEvent('order-4711')).resolves.toMatchObject({ status: 'queued' });

    await bus.drain();
    expect(bus.emulator.received().filter((r) => r.event.event_id === 'order-4711')).toHaveLength(1);

    // The event page shows it delivered, with both attempts.
    await page.goto(`${base}/admin/events/${failed!.id}/show`);
    await page.getByText('Meta accepted the event.').waitFor();
    await expect(page.locator('[data-status]').first().getAttribute('data-status')).resolves.toBe('delivered');
    await expect(page.getByTestId('attempt-row').count()).resolves.toBe(2);
    await expect(page.getByTestId('attempt-row').first().textContent()).resolves.toContain('500');
    const payload = (await page.getByTestId('payload').textContent()) ?? '';
    expect(payload).toContain('"em"');
    expect(payload).not.toContain('order-4711@example.com'); // hashed, never raw
    await snap(page, 'admin-event-show');
  });

  it('retries a not_delivered event from its own page, and it is delivered', async () => {
    const [failed] = await sendUndeliverable([event('Purchase', 'order-4712', { custom_data: { currency: 'EUR', value: 15 } })]);

    bus.emulator.configure({ failProbability: 0 });
    await page.goto(`${base}/admin/events/${failed!.id}/show`);
    await page.getByRole('button', { name: 'Retry this event' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Retry this event?').waitFor();
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('The event is queued again').waitFor();
    await expect(storedEvent('order-4712')).resolves.toMatchObject({ status: 'queued' });
    // Only failed / not delivered events offer the button.
    await waitFor(async () => (await page.getByRole('button', { name: 'Retry this event' }).count()) === 0, 'the retry button to go once the event is queued');

    await bus.drain();
    expect(bus.emulator.received().filter((r) => r.event.event_id === 'order-4712')).toHaveLength(1);
    await expect(storedEvent('order-4712')).resolves.toMatchObject({ status: 'delivered' });
  });

  it('"Retry all matching" re-queues every not delivered event of the filter as a job, with progress', async () => {
    const settings = await bus.c.settings.get();
    await bus.c.settings.save({ ...settings, retry: { ...settings.retry, maxAttempts: 1 } }); // one failure = not_delivered
    await sendUndeliverable(['lead-1', 'lead-2', 'lead-3'].map((id) => event('Lead', id)));
    bus.emulator.configure({ failProbability: 0 });

    // A link with filters (as the dashboard's banners make), narrowed to the Lead events.
    await page.goto(`${base}/admin/events?filter=${encodeURIComponent(JSON.stringify({ status: 'not_delivered', event_name: 'Lead' }))}`);
    await page.locator('tbody tr', { hasText: 'lead-3' }).waitFor();
    await page.getByRole('button', { name: 'Retry all matching' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('3 not delivered events match the current filters').waitFor();
    await dialog.getByRole('button', { name: 'Retry 3 events' }).click();
    await dialog.locator('[data-run-status="pending"]').waitFor();
    await dialog.getByText('Waiting for the worker to start the retry').waitFor();

    // The API handed the run to the worker's Agenda store: one events:retry-run job with its run id.
    const job = await waitFor(async () => (await bus.testDb.db('agenda_jobs').where({ name: 'events:retry-run' }).first()) as { data: string } | undefined, 'the retry-run job to be queued');
    const { runId } = JSON.parse(job.data) as { runId: number };
    // …and the worker's handler processes it (what the Agenda job does), while the dialog follows its progress.
    await bus.c.admin.retry.process(runId);
    await dialog.locator('[data-run-status="done"]').waitFor();
    await dialog.getByText('Done: 3 events queued again').waitFor();
    await snap(page, 'admin-events-retry-matching');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await bus.drain();
    const received = new Set(bus.emulator.received().map((r) => r.event.event_id));
    for (const id of ['lead-1', 'lead-2', 'lead-3']) expect(received.has(id)).toBe(true);
    await page.getByText('Nothing matches the current filters.').waitFor(); // none left not delivered
  });

  it('adds a pixel with a write-only token, sends a test event, and creates an API key shown once', async () => {
    await page.getByRole('menuitem', { name: 'Pixels' }).click();
    await page.getByRole('link', { name: 'Add a pixel' }).click();
    await page.locator('input[name="dataset_id"]').fill('12');
    await page.locator('input[name="name"]').fill('Spring campaign');
    await page.locator('input[name="access_token"]').fill('EAAspring-campaign-token-9876');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The numeric pixel (dataset) id, 5 to 20 digits').waitFor();
    await page.locator('input[name="dataset_id"]').fill('7770001112229');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Pixel: Spring campaign').waitFor();
    await page.getByText('…9876').waitFor();
    expect(await page.content()).not.toContain('EAAspring-campaign-token-9876');

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('dialog').getByText('A PageView test event was queued').waitFor();
    await snap(page, 'admin-pixel-test-event');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await page.getByRole('menuitem', { name: 'Pixels' }).click();
    await page.locator('tbody tr', { hasText: 'Old landing pages' }).waitFor();
    await snap(page, 'admin-pixels');

    await page.getByRole('menuitem', { name: 'API keys' }).click();
    await page.getByRole('link', { name: 'Create an API key' }).click();
    await page.locator('input[name="name"]').fill('Shop backend');
    await page.getByRole('button', { name: 'Save' }).click();
    const key = (await page.getByTestId('new-api-key').textContent())?.trim() ?? '';
    expect(key.length).toBeGreaterThan(20);
    await snap(page, 'admin-api-key-created');
    expect(await intake(bus, [event('Lead', 'from-new-key')], key)).toEqual(['queued']);
    await page.getByRole('button', { name: 'I have stored the key' }).click();
    await page.locator('tbody tr', { hasText: 'Shop backend' }).waitFor();
    expect(await page.content()).not.toContain(key);
    await snap(page, 'admin-api-keys');
  });

  it('edits a pixel: the token field is empty and write-only, the current token shown as …last4', async () => {
    await page.getByRole('menuitem', { name: 'Pixels' }).click();
    await page.locator('tbody tr', { hasText: 'Old landing pages' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByText('Leave empty to keep the current token (…0002)').waitFor();
    await expect(page.locator('input[name="access_token"]').inputValue()).resolves.toBe('');
    await expect(page.locator('input[name="paused"]').isChecked()).resolves.toBe(true);
    await snap(page, 'admin-pixel-edit');
    // A new token lifts the pause; a website that is not an origin is refused on its own field.
    await page.locator('input[name="access_token"]').fill('EAAnew-landing-token-000000000099');
    await page.getByRole('button', { name: 'Add a website' }).click();
    await page.locator('input[name="allowed_origins.0"]').fill('landing.example.com/spring');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('must be an origin such as https://shop.example.com').waitFor();
    await snap(page, 'admin-pixel-edit-error');
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 400|Invalid input/.test(p)));
    await page.locator('input[name="allowed_origins.0"]').fill('https://landing.example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Pixel: Old landing pages').waitFor();
    await page.getByText('…0099').waitFor();
    const pixel = await bus.c.pixelRepo.findByDatasetId('5550001112224');
    expect(pixel).toMatchObject({ pausedAt: null, accessTokenLast4: '0099', allowedOrigins: ['https://landing.example.com'] });
  });

  it('adds a dashboard user with a role', async () => {
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'Add a user' }).click();
    await page.locator('input[name="email"]').fill('new.colleague@example.com');
    await page.locator('input[name="password"]').fill('short');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('At least 10 characters').first().waitFor();
    await page.locator('input[name="password"]').fill('a sufficiently long password');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('tbody tr', { hasText: 'new.colleague@example.com' }).waitFor();
    await expect(page.locator('tbody tr', { hasText: 'new.colleague@example.com' }).textContent()).resolves.toContain('Viewer');
    await snap(page, 'admin-users');
  });
});

describe('the dashboard as a viewer', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ context, page, problems } = await newPage());
    await signIn(page, VIEWER);
  });
  afterAll(async () => {
    await context?.close();
  });
  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  const WRITE_BUTTONS = /^(Create|New custom event|Add a pixel|Create an API key|Add a user|Retry|Retry all matching|Retry this event|Revoke|Send test event|Save|Save settings|Delete|Edit)$/;

  /** Buttons and links (react-admin's Create/Edit buttons are links) whose name is a write action. */
  async function writeButtons(): Promise<string[]> {
    const names = await page.locator('button, a, [role="button"]').evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
    return names.filter((n) => WRITE_BUTTONS.test(n));
  }

  it('sees every page without a single write button, and no Users page', async () => {
    await expect(page.getByRole('menuitem', { name: 'Users' }).count()).resolves.toBe(0);
    await snap(page, 'viewer-dashboard');

    await page.getByRole('menuitem', { name: 'Event definitions' }).click();
    await page.locator('tbody tr', { hasText: 'Purchase' }).waitFor();
    await expect(page.getByRole('switch').count()).resolves.toBe(0);
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
    expect(await writeButtons()).toEqual([]);
    await snap(page, 'viewer-event-definitions');

    await page.getByRole('menuitem', { name: 'Events' }).click();
    await page.locator('tbody tr').first().waitFor();
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
    expect(await writeButtons()).toEqual([]);
    await snap(page, 'viewer-events');

    const failed = await storedEvent('seed-rejected');
    await page.goto(`${base}/admin/events/${failed!.id}/show`);
    await page.getByText('Meta rejected the event').waitFor();
    expect(await writeButtons()).toEqual([]);

    await page.goto(`${base}/admin/pixels`);
    await page.locator('tbody tr', { hasText: 'Staging shop' }).waitFor();
    expect(await writeButtons()).toEqual([]);
    await page.locator('tbody tr', { hasText: 'Staging shop' }).click();
    await page.getByText('Pixel: Staging shop').waitFor();
    expect(await writeButtons()).toEqual([]);

    await page.goto(`${base}/admin/api-keys`);
    await page.locator('tbody tr').first().waitFor();
    expect(await writeButtons()).toEqual([]);

    await page.goto(`${base}/admin/settings`);
    await page.getByTestId('setting-retry_max_attempts').waitFor();
    await expect(page.locator('input').count()).resolves.toBe(0);
    expect(await writeButtons()).toEqual([]);
    await snap(page, 'viewer-settings');
  });

  it('is refused (403) when writing through the API with its own session', async () => {
    const answers = await page.evaluate(async () => {
      const call = async (method: string, url: string, body?: unknown) => {
        const res = await fetch(url, {
          method,
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as { code?: string } };
      };
      return [
        await call('PUT', '/admin/api/event-definitions/1', { enabled: false }),
        await call('POST', '/admin/api/events/retry', { ids: [1] }),
        await call('PUT', '/admin/api/settings/1', { retry_max_attempts: 9 }),
        await call('POST', '/admin/api/api-keys', { name: 'sneaky' }),
        await call('GET', '/admin/api/users'),
      ];
    });
    for (const a of answers) expect(a.status).toBe(403);
    await expect(bus.c.settings.get()).resolves.toMatchObject({ retry: { maxAttempts: 1 } });
    // Reads still work for the viewer.
    const me = await page.evaluate(async () => (await fetch('/admin/api/auth/me', { credentials: 'include' })).json() as Promise<{ role: string }>);
    expect(me.role).toBe('viewer');
    // Chromium logs each refused request; these five were the point of this test.
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 403/.test(p)));
  });
});
