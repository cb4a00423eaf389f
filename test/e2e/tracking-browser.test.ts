/**
 * The tracking client in real Chromium against the real bus (SQLite) and the Graph API emulator.
 *
 * Pages are served from their own origin (a tiny static server), the bus from another, so
 * every request exercises CORS and the pixel's allowed origins. Meta's Pixel script cannot load
 * here: connect.facebook.net is answered with an empty script, so the `fbq` stub keeps every
 * call in `window.fbq.queue`, which is what these tests read.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHttpServer } from '../../server/src/http/server';
import { PIXEL_ID, startBus, type Bus } from '../helpers/harness';
import { launchChromium, screenshot, waitFor } from '../helpers/browser';
import type { TestDialect } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');
/** SQLite by default; TRACKING_E2E_DIALECT=mysql runs the same suite on MariaDB. */
const DIALECT: TestDialect = process.env.TRACKING_E2E_DIALECT === 'mysql' ? 'mysql' : 'sqlite';
const FIXTURES = path.join(__dirname, 'fixtures/tracking');
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const EMAIL_HASH = sha256('jane.roe@example.com');

type FbqCall = [method: string, ...args: unknown[]];
interface StoredRow {
  event_name: string;
  status: string;
  source: string;
  payload: { event_id: string; event_source_url?: string; user_data: Record<string, string | string[]>; custom_data?: Record<string, unknown> };
}

let bus: Bus;
let busServer: http.Server;
let site: http.Server;
let endpoint: string;
let origin: string;
let browser: Browser;
let distDir: string;
const files = new Map<string, string>();

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Static test site: the fixtures with %PIXEL_ID% / %ENDPOINT% filled in; `data-*` query parameters become attributes of the plain page's script tag. */
function serveSite(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', origin);
  const body = files.get(url.pathname);
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  const extra = [...url.searchParams].filter(([k]) => k.startsWith('data-')).map(([k, v]) => `${k}="${v.replace(/"/g, '&quot;')}"`);
  const type = url.pathname.endsWith('.js') ? 'application/javascript' : 'text/html; charset=utf-8';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body.replace(/%PIXEL_ID%/g, PIXEL_ID).replace(/%ENDPOINT%/g, endpoint).replace('%EXTRA%', extra.join(' ')));
}

beforeAll(async () => {
  // The real script-tag build, made by the package's build script.
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcb-tracking-'));
  execFileSync(process.execPath, [path.join(ROOT, 'tracking-client/build.mjs'), '--outdir', distDir, '--no-types'], { stdio: 'pipe' });
  files.set('/meta-tracking.min.js', fs.readFileSync(path.join(distDir, 'meta-tracking.min.js'), 'utf8'));
  // A small React app using the provider and the hook, React's development build (StrictMode checks on).
  const app = await build({
    entryPoints: [path.join(FIXTURES, 'react-app.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  files.set('/react-app.js', app.outputFiles[0]!.text);
  files.set('/react.html', fs.readFileSync(path.join(FIXTURES, 'react.html'), 'utf8'));
  files.set('/plain.html', fs.readFileSync(path.join(FIXTURES, 'plain.html'), 'utf8'));

  bus = await startBus(DIALECT);
  busServer = createHttpServer(bus.app);
  endpoint = `${await listen(busServer)}/v1/collect`;
  site = http.createServer(serveSite);
  origin = await listen(site);
  await bus.testDb.db('pixels').update({ allowed_origins: JSON.stringify([origin]) });
  await bus.c.definitions.create({ name: 'TrailGuideDownloaded', description: 'custom event used by the React test page' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (site) await close(site);
  if (busServer) {
    busServer.closeAllConnections();
    await close(busServer);
  }
  await bus?.stop();
  if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
});

/** A fresh browser profile (cookies, localStorage) with Meta's Pixel script answered by an empty one and nothing else leaving the machine. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) =>
      route.request().url().startsWith('https://connect.facebook.net/')
        ? route.fulfill({ status: 200, contentType: 'application/javascript', body: '/* Meta Pixel blocked in tests */' })
        : route.abort(),
  );
  return context;
}

/** Every request body the page sent to the bus (fetch and sendBeacon). */
function busRequests(page: Page): Array<{ body: string; type: string }> {
  const seen: Array<{ body: string; type: string }> = [];
  page.on('request', (r) => {
    if (r.url() === endpoint && r.method() === 'POST') seen.push({ body: r.postData() ?? '', type: r.resourceType() });
  });
  return seen;
}

async function fbqCalls(page: Page): Promise<FbqCall[]> {
  return page.evaluate(() => {
    const fbq = (window as unknown as { fbq?: { queue: ArrayLike<unknown>[] } }).fbq;
    return (fbq?.queue ?? []).map((args) => Array.from(args)) as FbqCall[];
  });
}

/** The Pixel calls that tracked `eventName`. */
const pixelCallsFor = (calls: FbqCall[], eventName: string) => calls.filter(([method, name]) => (method === 'track' || method === 'trackCustom') && name === eventName);

async function storedEvents(eventId: string): Promise<StoredRow[]> {
  const rows = (await bus.testDb.db('events').where({ event_id: eventId }).select('event_name', 'status', 'source', 'payload')) as Array<Omit<StoredRow, 'payload'> & { payload: string }>;
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as StoredRow['payload'] }));
}

const deliveredToMeta = (eventId: string) => bus.emulator.received().filter((r) => r.event.event_id === eventId);

/** Tracked once at the Pixel with this id, stored once by the bus, delivered once to the emulator with the same event_id. */
async function expectOnceEverywhere(calls: FbqCall[], eventName: string, eventId: string, method: 'track' | 'trackCustom' = 'track'): Promise<StoredRow> {
  expect(eventId).toMatch(/\S/);
  const pixel = pixelCallsFor(calls, eventName);
  expect(pixel).toHaveLength(1);
  expect(pixel[0]![0]).toBe(method);
  expect(pixel[0]![3]).toEqual({ eventID: eventId });
  const rows = await waitFor(async () => {
    const r = await storedEvents(eventId);
    return r.length > 0 && r;
  }, `${eventName} ${eventId} at the bus`);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ event_name: eventName, source: 'browser' });
  expect(rows[0]!.status).not.toBe('skipped');
  await bus.drain();
  await waitFor(() => deliveredToMeta(eventId).length > 0, `${eventName} ${eventId} delivered to the emulator`);
  expect(deliveredToMeta(eventId)).toHaveLength(1);
  expect(deliveredToMeta(eventId)[0]!.event.event_name).toBe(eventName);
  return rows[0]!;
}

/** Outbox entries of the page's pixel in localStorage. */
async function outbox(page: Page): Promise<Array<{ key: string; attempts: number; nextAt: number }>> {
  return page.evaluate((prefix) => {
    const out: Array<{ key: string; attempts: number; nextAt: number }> = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (key.startsWith(prefix)) out.push({ key, ...(JSON.parse(localStorage.getItem(key)!) as { attempts: number; nextAt: number }) });
    }
    return out;
  }, `mcb:${PIXEL_ID}:`);
}

describe(`tracking client in Chromium (${DIALECT})`, () => {
  it('React page: PageView, ViewContent, Purchase and a custom event each reach the Pixel and the bus once with the same event id and are delivered with it', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const requests = busRequests(page);
    await page.goto(`${origin}/react.html`);

    // PageView is tracked on start, once, although StrictMode renders and runs effects twice.
    const pageViewId = await waitFor(async () => pixelCallsFor(await fbqCalls(page), 'PageView')[0]?.[3], 'PageView in the fbq queue');
    await page.click('#login');
    await page.waitForFunction(() => (window as unknown as { ids: Record<string, string> }).ids.login === 'done');
    for (const button of ['#view', '#buy', '#custom']) await page.click(button);
    const ids = await page.evaluate(() => (window as unknown as { ids: Record<string, string> }).ids);
    const calls = await fbqCalls(page);

    // react-facebook-pixel (bundled into the page, loaded lazily) made the first init; setUser re-initialises with hashed advanced matching only.
    expect(files.get('/react-app.js')).toContain('[react-facebook-pixel]');
    expect(calls[0]).toEqual(['init', PIXEL_ID, {}]);
    const inits = calls.filter(([m]) => m === 'init');
    expect(inits[1]).toEqual(['init', PIXEL_ID, { em: EMAIL_HASH, ph: sha256('16505551234'), fn: sha256('jane') }]);

    const pageView = await expectOnceEverywhere(calls, 'PageView', (pageViewId as { eventID: string }).eventID);
    const view = await expectOnceEverywhere(calls, 'ViewContent', ids.ViewContent!);
    const purchase = await expectOnceEverywhere(calls, 'Purchase', ids.Purchase!);
    await expectOnceEverywhere(calls, 'TrailGuideDownloaded', ids.TrailGuideDownloaded!, 'trackCustom');

    expect(ids.Purchase).toMatch(/^purchase_\d+$/); // a caller-chosen id, e.g. to deduplicate with the backend's own Purchase
    expect(pixelCallsFor(calls, 'Purchase')[0]![2]).toEqual({ value: 89.9, currency: 'EUR', content_ids: ['sku-1'], num_items: 1 });
    expect(purchase.payload.custom_data).toMatchObject({ value: 89.9, currency: 'EUR', content_ids: ['sku-1'], num_items: 1 });
    expect(view.payload.event_source_url).toBe(`${origin}/react.html`);
    // Customer data set by setUser arrives hashed exactly as the server would hash it; before setUser there was none.
    expect(view.payload.user_data.em).toEqual([EMAIL_HASH]);
    expect(view.payload.user_data.ph).toEqual([sha256('16505551234')]);
    expect(pageView.payload.user_data.em).toBeUndefined();
    expect(deliveredToMeta(ids.Purchase!)[0]!.event).toMatchObject({ event_id: ids.Purchase, action_source: 'website' });

    // Plaintext customer data never left the browser, neither to the bus nor to the Pixel.
    const sent = requests.map((r) => r.body).join('\n') + JSON.stringify(calls);
    for (const clear of ['Jane', 'jane', 'example.com', '555-1234', '6505551234']) expect(sent).not.toContain(clear);
    // Sent, so nothing left to retry.
    await waitFor(async () => (await outbox(page)).length === 0, 'an empty outbox');
    await screenshot(page, 'tracking-react-page');
    await context.close();
  });

  it('plain page: the script tag alone tracks PageView, and the old sendViewContentEvent call still works, with fbp, fbc from fbclid and hashed email', async () => {
    const context = await newContext();
    await context.addCookies([{ name: '_fbp', value: 'fb.1.1718452800000.1234567890', url: origin }]);
    const page = await context.newPage();
    const requests = busRequests(page);
    const fbclid = 'IwAR1x_Test-fbclid.9';
    const before = Date.now();
    await page.goto(`${origin}/plain.html?utm_source=facebook&fbclid=${fbclid}`);
    await page.click('#view');
    const viewId = await page.evaluate(() => (window as unknown as { lastId: string }).lastId);
    const leadId = await page.evaluate(() => (window as unknown as { MetaTracking: { track(n: string, d?: object): string } }).MetaTracking.track('Lead', { content_name: 'newsletter' }));
    const calls = await fbqCalls(page);

    expect(calls[0]).toEqual(['init', PIXEL_ID, {}]);
    const pageViewId = (pixelCallsFor(calls, 'PageView')[0]?.[3] as { eventID: string }).eventID;
    await expectOnceEverywhere(calls, 'PageView', pageViewId);
    const view = await expectOnceEverywhere(calls, 'ViewContent', viewId);
    await expectOnceEverywhere(calls, 'Lead', leadId);

    expect(pixelCallsFor(calls, 'ViewContent')[0]![2]).toEqual({ content_name: 'Trail Shoe', content_category: 'Shoes' });
    expect(view.payload.custom_data).toEqual({ content_name: 'Trail Shoe', content_category: 'Shoes' });
    expect(view.payload.user_data.em).toEqual([EMAIL_HASH]);
    expect(view.payload.user_data.fbp).toBe('fb.1.1718452800000.1234567890');
    const fbc = view.payload.user_data.fbc as string;
    expect(fbc).toMatch(new RegExp(`^fb\\.1\\.(\\d{13})\\.${fbclid.replace(/\./g, '\\.')}$`));
    expect(Number(fbc.split('.')[2])).toBeGreaterThanOrEqual(before);
    // One fbc for the whole visit: persisted in _fbc, which later events (and the Pixel) reuse.
    const cookies = await context.cookies(origin);
    expect(cookies.find((c) => c.name === '_fbc')?.value).toBe(fbc);
    expect(((await storedEvents(leadId))[0]!.payload.user_data.fbc)).toBe(fbc);
    expect(deliveredToMeta(viewId)[0]!.event).toMatchObject({ event_id: viewId, user_data: expect.objectContaining({ fbc, fbp: 'fb.1.1718452800000.1234567890' }) });
    expect(requests.map((r) => r.body).join('')).not.toContain('Jane.Roe');
    await screenshot(page, 'tracking-plain-page');
    await context.close();
  });

  it('a send that failed (bus unreachable) is kept in localStorage and delivered exactly once after a reload', async () => {
    const context = await newContext();
    const page = await context.newPage();
    let busReachable = false;
    const accepted: string[] = [];
    await page.route(endpoint, async (route) => {
      if (!busReachable) return route.abort('connectionrefused');
      const response = await route.fetch();
      if (response.status() === 202) accepted.push(route.request().postData() ?? '');
      return route.fulfill({ response });
    });

    await page.goto(`${origin}/plain.html`);
    const leadId = await page.evaluate(() => (window as unknown as { MetaTracking: { track(n: string): string } }).MetaTracking.track('Lead'));
    const failed = await waitFor(async () => {
      const items = await outbox(page);
      const item = items.find((i) => i.key.endsWith(`:Lead:${leadId}`));
      return item && item.attempts >= 1 && item;
    }, 'a failed attempt recorded in the outbox');
    expect(failed.nextAt).toBeGreaterThan(Date.now()); // backing off, not hammering the bus
    expect(pixelCallsFor(await fbqCalls(page), 'Lead')).toHaveLength(1); // the Pixel got it once, right away
    expect(await storedEvents(leadId)).toHaveLength(0);

    busReachable = true;
    await page.reload();
    const rows = await waitFor(async () => {
      const r = await storedEvents(leadId);
      return r.length > 0 && r;
    }, 'the Lead at the bus after the reload', 10_000);
    await waitFor(async () => (await outbox(page)).length === 0, 'an empty outbox', 10_000);
    await new Promise((r) => setTimeout(r, 300)); // room for any second send to show up
    expect(rows).toHaveLength(1);
    expect(await storedEvents(leadId)).toHaveLength(1);
    expect(accepted.filter((body) => body.includes(leadId))).toHaveLength(1);
    // The reloaded page did not fire the old event at the Pixel again.
    expect(pixelCallsFor(await fbqCalls(page), 'Lead')).toHaveLength(0);
    await bus.drain();
    await waitFor(() => deliveredToMeta(leadId).length > 0, 'the Lead delivered to the emulator');
    expect(deliveredToMeta(leadId)).toHaveLength(1);
    await context.close();
  });

  it('an event tracked as the page goes away leaves with sendBeacon on pagehide, once', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const requests = busRequests(page);
    await page.goto(`${origin}/plain.html?data-page-view=false`);
    const contactId = await page.evaluate(() => {
      const id = (window as unknown as { MetaTracking: { track(n: string): string } }).MetaTracking.track('Contact');
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      return id;
    });
    await expectOnceEverywhere(await fbqCalls(page), 'Contact', contactId);
    const carrying = requests.filter((r) => r.body.includes(contactId));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]!.type).toBe('ping'); // Chromium's resource type for navigator.sendBeacon
    // Leased, so the next page does not resend it before the bus could have answered.
    const [item] = await outbox(page);
    expect(item?.nextAt).toBeGreaterThan(Date.now() + 20_000);
    await context.close();
  });

  it('consent: while revoked nothing reaches the Pixel or the bus, and granting releases nothing collected before', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const requests = busRequests(page);
    await page.goto(`${origin}/plain.html?data-consent=revoked`);
    type MT = { MetaTracking: { track(n: string, d?: object): string; consent: { grant(): void; revoke(): void } } };

    const whileRevoked = await page.evaluate(() => (window as unknown as MT).MetaTracking.track('Lead', { content_name: 'before consent' }));
    expect(whileRevoked).toBe('');
    await page.click('#view');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => typeof (window as unknown as { fbq?: unknown }).fbq)).toBe('undefined'); // the Pixel was not even loaded
    expect(requests).toHaveLength(0);
    expect(await outbox(page)).toHaveLength(0);

    await page.evaluate(() => (window as unknown as MT).MetaTracking.consent.grant());
    const afterGrant = await page.evaluate(() => (window as unknown as MT).MetaTracking.track('Contact'));
    await expectOnceEverywhere(await fbqCalls(page), 'Contact', afterGrant);
    const calls = await fbqCalls(page);
    expect(calls.map(([m, n]) => `${m}:${String(n)}`)).toEqual([`init:${PIXEL_ID}`, 'track:Contact']); // no PageView, Lead or ViewContent back-filled
    expect(requests.map((r) => r.body).join('')).not.toContain('before consent');

    await page.evaluate(() => (window as unknown as MT).MetaTracking.consent.revoke());
    expect(await page.evaluate(() => (window as unknown as MT).MetaTracking.track('Lead'))).toBe('');
    await page.waitForTimeout(200);
    const final = await fbqCalls(page);
    expect(final[final.length - 1]).toEqual(['consent', 'revoke']);
    expect(pixelCallsFor(final, 'Lead')).toHaveLength(0);
    expect(requests.filter((r) => !r.body.includes(afterGrant))).toHaveLength(0);
    await context.close();
  });
});
