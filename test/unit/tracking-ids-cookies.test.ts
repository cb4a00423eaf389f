import { fbcFromUrl } from '../../server/src/events/service';
import { FBC_PATTERN as SERVER_FBC_PATTERN } from '../../server/src/events/schemas';
import { STANDARD_EVENTS as SERVER_STANDARD_EVENTS } from '../../db/standard-events';
import { FBC_PATTERN, browserIds, fbcCookie, fbcFromFbclid, fbclidFromUrl, readCookie } from '../../tracking-client/src/core/cookies';
import { STANDARD_EVENTS, isStandardEvent } from '../../tracking-client/src/core/events';
import { newEventId } from '../../tracking-client/src/core/ids';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NOW = 1_718_452_800_123;

describe('event ids', () => {
  it('are fresh RFC 4122 v4 UUIDs from crypto.randomUUID', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newEventId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('fall back to getRandomValues where randomUUID is missing (pages on plain http)', () => {
    const c = { getRandomValues: <T extends ArrayBufferView | null>(a: T): T => globalThis.crypto.getRandomValues(a as Uint8Array) as unknown as T };
    const ids = new Set(Array.from({ length: 500 }, () => newEventId(c)));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('fall back to Math.random without any crypto, still UUID-shaped', () => {
    expect(newEventId(undefined)).toMatch(UUID_V4);
  });

  it('fit the bus limit of 191 characters', () => {
    expect(newEventId().length).toBe(36);
  });
});

describe('cookies', () => {
  const jar = 'theme=dark; _fbp=fb.1.1700000000000.1234567890;  _fbc=fb.1.1700000000001.IwAR0abc; empty=; x=a=b';

  it('reads a cookie by exact name, raw value, ignoring spacing', () => {
    expect(readCookie(jar, '_fbp')).toBe('fb.1.1700000000000.1234567890');
    expect(readCookie(jar, '_fbc')).toBe('fb.1.1700000000001.IwAR0abc');
    expect(readCookie(jar, 'x')).toBe('a=b');
    expect(readCookie(jar, 'fbp')).toBeUndefined();
    expect(readCookie(jar, 'empty')).toBeUndefined();
    expect(readCookie('', '_fbp')).toBeUndefined();
  });

  it('fbp and fbc come from the _fbp and _fbc cookies when present; the _fbc cookie wins over an fbclid', () => {
    expect(browserIds(jar, 'https://shop.example.com/?fbclid=NEW', NOW)).toEqual({ fbp: 'fb.1.1700000000000.1234567890', fbc: 'fb.1.1700000000001.IwAR0abc', fbcFromUrl: false });
  });

  it('without cookies and without fbclid there is neither', () => {
    expect(browserIds('', 'https://shop.example.com/p/1', NOW)).toEqual({ fbcFromUrl: false });
  });
});

describe('fbc from fbclid', () => {
  it('is fb.1.<ms>.<fbclid> with the fbclid exactly as in the URL (not decoded, not re-encoded)', () => {
    const raw = 'IwAR2%2Bx_Y-z.9~AbC';
    const url = `https://shop.example.com/landing?utm_source=fb&fbclid=${raw}&x=1#top`;
    expect(fbclidFromUrl(url)).toBe(raw);
    expect(browserIds('', url, NOW)).toEqual({ fbc: `fb.1.${NOW}.${raw}`, fbcFromUrl: true });
  });

  it('is built exactly like the bus builds it from event_source_url', () => {
    for (const url of ['https://a.example/?fbclid=abc', 'https://a.example/x?y=1&fbclid=IwAR%3D%3D&z=2', 'https://a.example/?fbclid=Ab-_.~9#frag']) {
      expect(browserIds('', url, NOW).fbc).toBe(fbcFromUrl(url, NOW));
    }
  });

  it('ignores an fbclid in the fragment or an empty one', () => {
    expect(fbclidFromUrl('https://a.example/#?fbclid=abc')).toBeUndefined();
    expect(fbclidFromUrl('https://a.example/?fbclid=&a=1')).toBeUndefined();
    expect(fbclidFromUrl('https://a.example/?notfbclid=abc')).toBeUndefined();
  });

  it('always passes the bus validation (same pattern), and a malformed _fbc cookie is ignored rather than sent and rejected', () => {
    expect(FBC_PATTERN.source).toBe(SERVER_FBC_PATTERN.source);
    expect(SERVER_FBC_PATTERN.test(fbcFromFbclid('abc', NOW))).toBe(true);
    expect(browserIds('_fbc=garbage', 'https://a.example/?fbclid=abc', NOW)).toEqual({ fbc: `fb.1.${NOW}.abc`, fbcFromUrl: true });
    expect(browserIds('_fbc=garbage', 'https://a.example/', NOW)).toEqual({ fbcFromUrl: false });
  });

  it('is persisted in the _fbc cookie the way the Pixel does (90 days, whole site)', () => {
    expect(fbcCookie('fb.1.1.abc', true)).toBe('_fbc=fb.1.1.abc; Max-Age=7776000; Path=/; SameSite=Lax; Secure');
    expect(fbcCookie('fb.1.1.abc', false)).not.toContain('Secure');
  });
});

describe('standard events', () => {
  it('are exactly the ones the bus seeds', () => {
    expect([...STANDARD_EVENTS].sort()).toEqual(SERVER_STANDARD_EVENTS.map((e) => e.name).sort());
  });

  it('custom names are not standard (they go to fbq trackCustom)', () => {
    expect(isStandardEvent('Purchase')).toBe(true);
    expect(isStandardEvent('purchase')).toBe(false);
    expect(isStandardEvent('NewsletterOpened')).toBe(false);
  });
});
