/**
 * Server-side rendering: jest's node environment has no window, document or localStorage.
 * Importing any entry of the tracking client and rendering the provider must do nothing and throw nothing.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

describe('without a browser (server-side rendering)', () => {
  const errors = jest.spyOn(console, 'error');

  afterAll(() => errors.mockRestore());

  it('runs where there really is no window', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('importing every entry point does nothing and throws nothing', async () => {
    await expect(import('../../tracking-client/src/index')).resolves.toBeDefined();
    await expect(import('../../tracking-client/src/react/index')).resolves.toBeDefined();
    await expect(import('../../tracking-client/src/script')).resolves.toBeDefined();
    const g = globalThis as Record<string, unknown>;
    expect(g.fbq).toBeUndefined();
    expect(g.MetaTracking).toBeUndefined();
    expect(errors).not.toHaveBeenCalled();
  });

  it('a tracker is a no-op: no id, no Pixel, no request, no timer', async () => {
    const { createTracker, getTracker, NOOP_TRACKER } = await import('../../tracking-client/src/index');
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const config = { pixelId: '1234567890123', endpoint: 'https://bus.example.com/v1/collect' };
    expect(createTracker(config)).toBe(NOOP_TRACKER);
    const t = getTracker(config);
    expect(t.track('Purchase', { value: 1, currency: 'EUR' })).toBe('');
    expect(t.pageView()).toBe('');
    await expect(t.setUser({ email: 'jane@example.com' })).resolves.toBeUndefined();
    t.consent.grant();
    expect(t.consent.isGranted()).toBe(false);
    await t.flush();
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('renders EventBusProvider and useEventBus to HTML without side effects', async () => {
    const { EventBusProvider, useEventBus } = await import('../../tracking-client/src/react/index');
    function Product() {
      const bus = useEventBus();
      return createElement('button', { 'data-id': bus.track('ViewContent', { content_name: 'Shoe' }) || 'none' }, 'Buy');
    }
    const html = renderToString(createElement(EventBusProvider, { pixelId: '1234567890123', endpoint: 'https://bus.example.com/v1/collect' }, createElement(Product)));
    expect(html).toBe('<button data-id="none">Buy</button>');
    expect((globalThis as Record<string, unknown>).fbq).toBeUndefined();
    expect(errors).not.toHaveBeenCalled();
  });

  it('useEventBus outside a provider gets a no-op tracker rather than throwing', async () => {
    const { useEventBus } = await import('../../tracking-client/src/react/index');
    function Orphan() {
      return createElement('i', null, useEventBus().pageView() || 'ok');
    }
    expect(renderToString(createElement(Orphan))).toBe('<i>ok</i>');
  });
});
