import { backoffMs, classify } from '../../server/src/delivery/meta-errors';

const graphError = (code: number, extra: Record<string, unknown> = {}) => ({ error: { message: `(#${code}) error`, code, fbtrace_id: 'TRACE', ...extra } });

describe('classifying Conversions API answers', () => {
  it('is delivered when Meta confirms events_received', () => {
    expect(classify({ httpStatus: 200, body: { events_received: 3, fbtrace_id: 'abc' }, durationMs: 5 })).toEqual({ kind: 'delivered', eventsReceived: 3, fbtraceId: 'abc' });
  });

  it.each([1, 2, 4, 17, 32, 341, 368, 613, 80003])('retries later when Meta answers code %i', (code) => {
    expect(classify({ httpStatus: 400, body: graphError(code), durationMs: 1 }).kind).toBe('transient');
  });

  it('retries network errors, timeouts, 5xx with or without a JSON body, and 429', () => {
    expect(classify({ httpStatus: null, body: null, durationMs: 1500, networkError: 'timed out after 1500 ms' })).toMatchObject({ kind: 'transient', message: 'timed out after 1500 ms' });
    expect(classify({ httpStatus: 502, body: null, durationMs: 1 }).kind).toBe('transient');
    expect(classify({ httpStatus: 500, body: graphError(100), durationMs: 1 }).kind).toBe('transient');
    expect(classify({ httpStatus: 429, body: null, durationMs: 1 }).kind).toBe('transient');
  });

  it('retries anything Meta flags is_transient', () => {
    expect(classify({ httpStatus: 400, body: graphError(9999, { is_transient: true }), durationMs: 1 }).kind).toBe('transient');
  });

  it('fails permanently on invalid parameters (100 and subcodes) and permissions (200), keeping Meta’s message', () => {
    const c = classify({ httpStatus: 400, body: graphError(100, { error_subcode: 2804019, error_user_msg: 'Event at index 2: bad fbc' }), durationMs: 1 });
    expect(c).toMatchObject({ kind: 'permanent', code: 100, subcode: 2804019, fbtraceId: 'TRACE', message: '(#100) error — Event at index 2: bad fbc' });
    expect(classify({ httpStatus: 403, body: graphError(200), durationMs: 1 }).kind).toBe('permanent');
  });

  it('pauses on an invalid or expired token (190) rather than retrying or failing', () => {
    expect(classify({ httpStatus: 400, body: graphError(190, { error_subcode: 463 }), durationMs: 1 })).toMatchObject({ kind: 'token', code: 190, subcode: 463 });
  });

  it('does not trust a 2xx without events_received', () => {
    expect(classify({ httpStatus: 200, body: {}, durationMs: 1 }).kind).toBe('transient');
  });
});

describe('backoff', () => {
  const policy = { baseBackoffMs: 1000, maxBackoffMs: 60_000 };
  it('doubles per attempt with equal jitter, capped at the maximum', () => {
    expect(backoffMs(1, policy, () => 0)).toBe(500);
    expect(backoffMs(1, policy, () => 1)).toBe(1000);
    expect(backoffMs(3, policy, () => 1)).toBe(4000);
    expect(backoffMs(3, policy, () => 0)).toBe(2000);
    expect(backoffMs(20, policy, () => 1)).toBe(60_000);
  });
});
