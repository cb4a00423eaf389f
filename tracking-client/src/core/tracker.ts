/**
 * The tracker behind both builds: one call → one event id → `fbq('track'|'trackCustom', …, { eventID })`
 * and the same event to the bus's `/v1/collect`. Framework-free; the React provider and the
 * script-tag global are thin layers over it.
 */
import { browserIds, fbcCookie } from './cookies';
import { isStandardEvent, type EventData, type StandardEventData } from './events';
import { doc, localStorageOrUndefined, nav, win } from './globals';
import { hashUserData, type HashedUserData, type UserData } from './hash';
import { newEventId } from './ids';
import { DEFAULT_LIMITS, LEASE_MS, MemoryStorage, Outbox, backoffMs, type BusEvent, type OutboxItem, type OutboxLimits } from './outbox';
import { snippetLoader, type FbqWindow, type PixelLoader } from './pixel';
import { batches, beacon, envelope, outcomeOf, post } from './transport';

export type Consent = 'granted' | 'revoked';

export interface TrackerConfig {
  /** Meta pixel (dataset) id. */
  pixelId: string;
  /** Full URL of the bus's browser intake, e.g. https://bus.example.com/v1/collect. */
  endpoint: string;
  /** Initial consent; default granted. While revoked nothing is sent to the Pixel or the bus. */
  consent?: Consent;
  /** Track a PageView when the tracker starts (once per page load). Default true. */
  autoPageView?: boolean;
  /** false: bus only, Meta's Pixel is not loaded. A function: custom Pixel loader. Default: Meta's base code. */
  pixel?: boolean | PixelLoader;
  /** Meta's automatic Pixel events (button clicks, page metadata). Default true, as Meta's own default. */
  autoConfig?: boolean;
  /** Customer information known at start (hashed before anything is sent). */
  user?: UserData;
  /** Log what happens to the console. */
  debug?: boolean;
  /** Bounds of the retry queue in localStorage. */
  queue?: Partial<OutboxLimits>;
}

export interface TrackOptions {
  /** Your own id (e.g. `purchase_<order id>`) to deduplicate with an event your backend also sends; default a fresh UUID. */
  eventId?: string;
  /** Extra customer information for this event only (hashed like setUser's). */
  user?: UserData;
}

export type TrackArgs<N extends string> = N extends 'Purchase'
  ? [data: StandardEventData['Purchase'], options?: TrackOptions]
  : [data?: EventData<N>, options?: TrackOptions];

export interface Tracker {
  /** Tracks an event; returns its event id ('' when nothing was tracked: no browser, or consent revoked). */
  track<N extends string>(eventName: N, ...args: TrackArgs<N>): string;
  /** Tracks a PageView (call it on every route change of a single-page app). */
  pageView(options?: TrackOptions): string;
  /** Customer information for advanced matching, replacing what was set before; null clears it (sign-out). Hashed here, never kept in clear. */
  setUser(user: UserData | null): Promise<void>;
  consent: {
    /** From now on events are sent; nothing tracked while revoked is released. */
    grant(): void;
    /** Stops sending to the Pixel and the bus and forgets events not yet sent. */
    revoke(): void;
    isGranted(): boolean;
  };
  /** Sends what is due now (normally automatic). */
  flush(): Promise<void>;
}

/** What a tracker does without a browser (server-side rendering, tests): nothing. */
export const NOOP_TRACKER: Tracker = {
  track: () => '',
  pageView: () => '',
  setUser: async () => undefined,
  consent: { grant: () => undefined, revoke: () => undefined, isGranted: () => false },
  flush: async () => undefined,
};

const instances = new Map<string, Tracker>();

/** One tracker per pixel and endpoint per page (safe with React StrictMode and repeated script tags). */
export function getTracker(config: TrackerConfig): Tracker {
  if (!win) return NOOP_TRACKER;
  const key = `${config.pixelId}|${config.endpoint}`;
  let tracker = instances.get(key);
  if (!tracker) instances.set(key, (tracker = createTracker(config)));
  return tracker;
}

/** First hash of each key, the form Pixel advanced matching takes. */
const advancedMatching = (user: HashedUserData): Record<string, string> =>
  Object.fromEntries(Object.entries(user).flatMap(([k, v]) => (v?.[0] ? [[k, v[0]]] : [])));

/** setUser's data plus one event's own, hashes de-duplicated per key. */
function mergeHashed(a: HashedUserData, b: HashedUserData): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const src of [a, b]) for (const [k, v] of Object.entries(src)) out[k] = [...new Set([...(out[k] ?? []), ...(v ?? [])])];
  return out;
}

export function createTracker(config: TrackerConfig): Tracker {
  if (!win || !doc) return NOOP_TRACKER;
  const w = win as FbqWindow & typeof globalThis;
  const d = doc;
  const log = (...args: unknown[]): void => {
    if (config.debug) console.info('[meta-tracking]', ...args);
  };
  const outbox = new Outbox(localStorageOrUndefined() ?? new MemoryStorage(), `mcb:${config.pixelId}:`, { ...DEFAULT_LIMITS, ...config.queue });
  const inFlight = new Set<string>();
  let granted = config.consent !== 'revoked';
  let user: HashedUserData = {};
  let userPending: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushQueued = false;

  // ---- Pixel: calls made before it is initialised wait in order, then go to window.fbq.
  const loader = config.pixel === false ? undefined : typeof config.pixel === 'function' ? config.pixel : snippetLoader;
  let pixelState: 'off' | 'loading' | 'ready' | 'failed' = 'off';
  let pixelBuffer: unknown[][] = [];
  const fbq = (...args: unknown[]): void => {
    if (pixelState === 'ready') w.fbq?.(...args);
    else if (pixelState === 'loading') pixelBuffer.push(args);
  };
  const startPixel = (): void => {
    if (!loader || pixelState !== 'off') return;
    pixelState = 'loading';
    (userPending ?? Promise.resolve())
      .then(() => loader(config.pixelId, advancedMatching(user), { autoConfig: config.autoConfig !== false, debug: config.debug === true }))
      .then(
        () => {
          pixelState = 'ready';
          for (const args of pixelBuffer.splice(0)) w.fbq?.(...args);
        },
        (err: unknown) => {
          pixelState = 'failed';
          pixelBuffer = [];
          log('the Pixel could not be initialised; events still go to the bus', err);
        },
      );
  };

  // ---- Bus delivery
  const schedule = (): void => {
    clearTimeout(timer);
    if (!granted) return;
    const next = Math.min(...outbox.list(Date.now()).filter((i) => !inFlight.has(i.key)).map((i) => i.nextAt));
    if (Number.isFinite(next)) timer = setTimeout(() => void flush(), Math.max(0, next - Date.now()));
  };

  const send = async (items: OutboxItem[]): Promise<void> => {
    const res = await post(config.endpoint, envelope(config.pixelId, items.map((i) => i.event)));
    const outcome = outcomeOf(res.status);
    log(`bus answered ${res.status} for ${items.length} event(s): ${outcome}`, res.body);
    for (const item of items) {
      inFlight.delete(item.key);
      const current = outbox.get(item.key);
      if (!current) continue; // consent revoked meanwhile, or dropped by the bounds
      if (outcome !== 'retry') outbox.remove(item.key);
      else outbox.put({ ...current, attempts: current.attempts + 1, nextAt: Date.now() + backoffMs(current.attempts + 1) });
    }
    schedule();
  };

  async function flush(): Promise<void> {
    if (!granted) return;
    const now = Date.now();
    const due = outbox.due(now).filter((i) => !inFlight.has(i.key));
    for (const item of due) {
      inFlight.add(item.key);
      outbox.put({ ...item, nextAt: now + LEASE_MS }); // other tabs and the next page leave it alone meanwhile
    }
    await Promise.all(batches(due).map(send));
    schedule();
  }

  const queueFlush = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    void Promise.resolve().then(() => {
      flushQueued = false;
      return flush();
    });
  };

  // ---- Tracking
  function track(eventName: string, data?: object, options: TrackOptions = {}): string {
    if (!granted) {
      log(`consent revoked: ${eventName} not tracked`);
      return '';
    }
    const eventId = options.eventId ?? newEventId();
    const at = Date.now();
    const href = w.location.href;
    const referrer = d.referrer;
    const custom = data && Object.keys(data).length ? (JSON.parse(JSON.stringify(data)) as Record<string, unknown>) : undefined;

    const record = (extra: HashedUserData = {}): void => {
      if (!granted) return; // revoked while user data was being hashed
      fbq(isStandardEvent(eventName) ? 'track' : 'trackCustom', eventName, custom ?? {}, { eventID: eventId });
      const ids = browserIds(d.cookie, href, at);
      if (ids.fbcFromUrl && ids.fbc) d.cookie = fbcCookie(ids.fbc, w.location.protocol === 'https:');
      const userData: BusEvent['user_data'] = mergeHashed(user, extra);
      if (ids.fbp) userData.fbp = ids.fbp;
      if (ids.fbc) userData.fbc = ids.fbc;
      outbox.add(
        {
          event_name: eventName,
          event_time: Math.floor(at / 1000),
          event_id: eventId,
          event_source_url: href.slice(0, 2048),
          ...(referrer ? { referrer_url: referrer.slice(0, 2048) } : {}),
          user_data: userData,
          ...(custom ? { custom_data: custom } : {}),
        },
        Date.now(),
      );
      queueFlush();
    };

    // Synchronous when no hashing is pending, so the event is stored before anything can unload the page.
    if (!userPending && !options.user) record();
    else
      (userPending ?? Promise.resolve())
        .then(() => (options.user ? hashUserData(options.user) : undefined))
        .then((r) => record(r?.userData), (err: unknown) => log('event not recorded', err));
    return eventId;
  }

  function setUser(input: UserData | null): Promise<void> {
    const p: Promise<void> = (userPending ?? Promise.resolve())
      .then(async () => {
        if (!input) {
          user = {};
          return;
        }
        const { userData, dropped } = await hashUserData(input);
        if (dropped.length) log('customer information not usable, dropped:', dropped);
        user = userData;
        const am = advancedMatching(user);
        if (Object.keys(am).length) fbq('init', config.pixelId, am);
      })
      .catch((err: unknown) => log('setUser failed', err))
      .finally(() => {
        if (userPending === p) userPending = null;
      });
    userPending = p;
    return p;
  }

  const tracker: Tracker = {
    track: track as Tracker['track'],
    pageView: (options) => track('PageView', undefined, options),
    setUser,
    consent: {
      grant() {
        if (granted) return;
        granted = true;
        fbq('consent', 'grant');
        startPixel();
        schedule();
      },
      revoke() {
        if (!granted) return;
        granted = false;
        fbq('consent', 'revoke');
        outbox.clear();
        clearTimeout(timer);
      },
      isGranted: () => granted,
    },
    flush,
  };

  // Whatever is still waiting when the page goes away leaves with sendBeacon; the lease keeps
  // the next page from resending it before the bus could answer.
  w.addEventListener('pagehide', () => {
    if (!granted) return;
    const now = Date.now();
    for (const batch of batches(outbox.due(now).filter((i) => !inFlight.has(i.key)))) {
      if (!beacon(config.endpoint, envelope(config.pixelId, batch.map((i) => i.event)), nav)) continue;
      for (const item of batch) outbox.put({ ...item, attempts: item.attempts + 1, nextAt: now + LEASE_MS });
    }
  });

  if (config.user) void setUser(config.user);
  if (granted) {
    startPixel();
    if (config.autoPageView !== false) tracker.pageView();
    schedule(); // retries left by earlier pages
  }
  return tracker;
}
