/**
 * Compile-time checks of the typed API (the root `tsc` run fails if an expectation below breaks);
 * at run time these calls go to the no-op tracker jest's node environment gets.
 */
import { NOOP_TRACKER, type Tracker } from '../../tracking-client/src/index';

const bus: Tracker = NOOP_TRACKER;

describe('typed event names and custom data', () => {
  it('accepts standard events with their parameters and custom events with any', () => {
    bus.track('ViewContent', { content_name: 'Trail Shoe', content_ids: ['sku-1'], value: 89.9, currency: 'EUR' });
    bus.track('Purchase', { value: 10, currency: 'EUR' }, { eventId: 'purchase_42', user: { email: 'a@b.co' } });
    bus.track('Lead');
    bus.track('TrailGuideDownloaded', { guide: 'alps', pages: 12 });
    const name: string = 'Anything';
    bus.track(name, { whatever: true });
    expect(bus.pageView()).toBe('');
  });

  it('rejects what Meta would not take', () => {
    // @ts-expect-error Purchase needs value and currency
    bus.track('Purchase');
    // @ts-expect-error Purchase needs a currency
    bus.track('Purchase', { value: 10 });
    // @ts-expect-error a typo in a standard parameter
    bus.track('ViewContent', { contnet_name: 'Trail Shoe' });
    // @ts-expect-error content_type is product or product_group
    bus.track('AddToCart', { content_type: 'shoe' });
    // @ts-expect-error setUser takes customer information keys
    void bus.setUser({ emial: 'a@b.co' });
    expect(true).toBe(true);
  });
});
