import { createHash } from 'node:crypto';
import { createGraphEmulator, type GraphEmulator } from '../../server/src/emulator/emulator';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const nowSec = () => Math.floor(Date.now() / 1000);

function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase',
    event_time: nowSec() - 60,
    event_id: 'evt-1',
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: {
      em: [sha('jane@example.com')],
      ph: [sha('15551234567')],
      client_ip_address: '203.0.113.7',
      client_user_agent: 'Mozilla/5.0',
      fbp: 'fb.1.1700000000000.123456',
      fbc: 'fb.1.1700000000000.AbCdEf',
    },
    custom_data: { currency: 'EUR', value: 42.5 },
    ...overrides,
  };
}

interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; is_transient: boolean; error_user_msg?: string; fbtrace_id: string };
}

let emulator: GraphEmulator;
let url: string;

beforeEach(async () => {
  emulator = createGraphEmulator();
  ({ url } = await emulator.listen(0));
});
afterEach(async () => {
  await emulator.close();
});

async function post(body: unknown, path = '/v24.0/1234567890/events') {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postError(body: unknown) {
  const res = await post(body);
  return { status: res.status, error: (res.body as unknown as GraphErrorBody).error };
}

describe('Graph API emulator', () => {
  it('accepts a valid batch and records it with fbtrace_id', async () => {
    const events = [validEvent(), validEvent({ event_id: 'evt-2', event_name: 'Lead' })];
    const res = await post({ data: events, access_token: 'tok', test_event_code: 'TEST123', partner_agent: 'mcb', namespace_id: null, upload_id: null });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events_received: 2, messages: [], fbtrace_id: expect.stringMatching(/^[\w-]{11}$/) });
    const received = emulator.received();
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({ pixelId: '1234567890', fbtraceId: res.body.fbtrace_id, testEventCode: 'TEST123', event: { event_id: 'evt-1' } });
    expect(received[1]?.event).toMatchObject({ event_name: 'Lead' });
    expect(emulator.requests()).toEqual([expect.objectContaining({ pixelId: '1234567890', count: 2, status: 200, fbtraceId: res.body.fbtrace_id })]);
  });

  it('rejects a website event without client_user_agent, naming its index', async () => {
    const bad = validEvent();
    delete (bad.user_data as Record<string, unknown>).client_user_agent;
    const { status, error } = await postError({ data: [validEvent(), validEvent(), validEvent(), bad], access_token: 'tok' });

    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 100, type: 'OAuthException', is_transient: false });
    expect(error.error_user_msg).toMatch(/^Event at index 3: .*client_user_agent/);
    expect(emulator.received()).toHaveLength(0);
  });

  it('rejects an unhashed em and a hashed client_ip_address', async () => {
    const unhashed = await postError({ data: [validEvent({ user_data: { em: 'jane@example.com', client_user_agent: 'UA' } })], access_token: 'tok' });
    expect(unhashed.status).toBe(400);
    expect(unhashed.error.code).toBe(100);
    expect(unhashed.error.error_user_msg).toMatch(/index 0: user_data\.em/);

    const hashedIp = await postError({ data: [validEvent({ user_data: { client_ip_address: sha('1.2.3.4'), client_user_agent: 'UA' } })], access_token: 'tok' });
    expect(hashedIp.status).toBe(400);
    expect(hashedIp.error.error_user_msg).toMatch(/index 0: user_data\.client_ip_address must not be hashed/);
    expect(emulator.received()).toHaveLength(0);
  });

  it('rejects a malformed fbc and user_data without customer information', async () => {
    const badFbc = await postError({ data: [validEvent({ user_data: { fbc: 'nope', client_user_agent: 'UA' } })], access_token: 'tok' });
    expect(badFbc.error.error_user_msg).toMatch(/fbc/);
    const empty = await postError({ data: [validEvent({ action_source: 'system_generated', user_data: {} })], access_token: 'tok' });
    expect(empty.error.error_user_msg).toMatch(/at least one customer information parameter/);
  });

  it('rejects more than 1000 events with a clear message', async () => {
    const data = Array.from({ length: 1001 }, (_, i) => validEvent({ event_id: `e${i}` }));
    const { status, error } = await postError({ data, access_token: 'tok' });

    expect(status).toBe(400);
    expect(error.code).toBe(100);
    expect(error.error_user_msg).toMatch(/at most 1000 events/);
    expect(emulator.received()).toHaveLength(0);
  });

  it('rejects an event older than 7 days', async () => {
    const old = validEvent({ event_time: nowSec() - 8 * 24 * 3600 });
    const { status, error } = await postError({ data: [validEvent(), old], access_token: 'tok' });

    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 100, error_subcode: 2804003 });
    expect(error.error_user_msg).toMatch(/^Event at index 1: event_time/);
  });

  it('answers code 190 for a missing or unknown access token', async () => {
    const missing = await postError({ data: [validEvent()] });
    expect(missing.status).toBe(400);
    expect(missing.error).toMatchObject({ code: 190, type: 'OAuthException' });

    await emulator.close();
    emulator = createGraphEmulator({ validAccessTokens: ['good'] });
    ({ url } = await emulator.listen(0));
    const wrong = await postError({ data: [validEvent()], access_token: 'bad' });
    expect(wrong.error).toMatchObject({ code: 190, message: expect.stringMatching(/Invalid OAuth access token/) });
    const res = await fetch(`${url}/v24.0/1234567890/events?access_token=good`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [validEvent()] }),
    });
    expect(res.status).toBe(200);
  });

  it('plays the failNext sequence in order, then succeeds', async () => {
    emulator.configure({ failNext: [{ kind: 'http500' }, { kind: 'meta', code: 4 }] });

    const first = await postError({ data: [validEvent()], access_token: 'tok' });
    expect(first.status).toBe(500);
    expect(first.error).toMatchObject({ code: 1, is_transient: true });
    const second = await postError({ data: [validEvent()], access_token: 'tok' });
    expect(second.status).toBe(400);
    expect(second.error).toMatchObject({ code: 4, is_transient: true });
    const third = await post({ data: [validEvent()], access_token: 'tok' });
    expect(third.status).toBe(200);

    expect(emulator.received()).toHaveLength(1);
    expect(emulator.requests().map((r) => [r.status, r.errorCode])).toEqual([[500, 1], [400, 4], [200, undefined]]);
  });

  it('answers a non_json_502 failure with an HTML body', async () => {
    emulator.configure({ failNext: [{ kind: 'non_json_502' }] });
    const res = await fetch(`${url}/v24.0/1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [validEvent()], access_token: 'tok' }) });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html>/);
  });

  it('rejects the whole batch when it contains a rejected event_id', async () => {
    emulator.configure({ rejectEventIds: ['evt-bad'] });
    const { status, error } = await postError({ data: [validEvent(), validEvent({ event_id: 'evt-bad' }), validEvent({ event_id: 'evt-3' })], access_token: 'tok' });

    expect(status).toBe(400);
    expect(error.code).toBe(100);
    expect(error.error_user_msg).toMatch(/^Event at index 1: /);
    expect(emulator.received()).toHaveLength(0);

    const ok = await post({ data: [validEvent(), validEvent({ event_id: 'evt-3' })], access_token: 'tok' });
    expect(ok.status).toBe(200);
  });

  it('holds a timeout request until close() releases it', async () => {
    emulator.configure({ failNext: [{ kind: 'timeout' }] });
    const pending = fetch(`${url}/v24.0/1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [validEvent()], access_token: 'tok' }) });
    const settled = jest.fn();
    pending.then(settled, settled);

    while (emulator.requests().length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).not.toHaveBeenCalled();
    expect(emulator.requests()[0]?.status).toBe(0);

    const started = Date.now();
    await emulator.close();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(emulator.received()).toHaveLength(0);
  });

  it('adds the configured latency before answering', async () => {
    emulator.configure({ latencyMs: 150 });
    const started = Date.now();
    const res = await post({ data: [validEvent()], access_token: 'tok' });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('serves the controls over HTTP: configure, events, requests, reset', async () => {
    const configure = await fetch(`${url}/__emulator/configure`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: [{ kind: 'meta', code: 190 }] }),
    });
    expect(configure.status).toBe(200);
    const badConfigure = await fetch(`${url}/__emulator/configure`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: [{ kind: 'explode' }] }),
    });
    expect(badConfigure.status).toBe(400);

    const expired = await postError({ data: [validEvent()], access_token: 'tok' });
    expect(expired.error).toMatchObject({ code: 190, is_transient: false });
    await post({ data: [validEvent()], access_token: 'tok' }, '/v24.0/111/events');
    await post({ data: [validEvent({ event_id: 'x' })], access_token: 'tok' }, '/v23.0/222/events');

    const all = (await (await fetch(`${url}/__emulator/events`)).json()) as { data: Array<{ pixelId: string }> };
    expect(all.data.map((e) => e.pixelId)).toEqual(['111', '222']);
    const only = (await (await fetch(`${url}/__emulator/events?pixel=222`)).json()) as { data: Array<{ pixelId: string }> };
    expect(only.data.map((e) => e.pixelId)).toEqual(['222']);
    const requests = (await (await fetch(`${url}/__emulator/requests`)).json()) as { data: Array<{ status: number; errorCode?: number }> };
    expect(requests.data.map((r) => r.status)).toEqual([400, 200, 200]);
    expect(requests.data[0]?.errorCode).toBe(190);

    expect((await fetch(`${url}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(emulator.received()).toHaveLength(0);
    expect(emulator.requests()).toHaveLength(0);
  });

  it('keeps only the newest keepEvents accepted events, and counts all of them', async () => {
    await emulator.close();
    emulator = createGraphEmulator({ keepEvents: 3 });
    ({ url } = await emulator.listen(0));
    for (const ids of [['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2', 'c3', 'c4']]) {
      expect((await post({ data: ids.map((id) => validEvent({ event_id: id })), access_token: 'tok' })).status).toBe(200);
      expect(emulator.received().length).toBeLessThanOrEqual(3);
    }
    expect(emulator.received().map((r) => r.event.event_id)).toEqual(['c2', 'c3', 'c4']);
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { events: number; requests: number };
    expect(stats).toEqual({ events: 8, requests: 3 });
    const listed = (await (await fetch(`${url}/__emulator/events`)).json()) as { data: unknown[] };
    expect(listed.data).toHaveLength(3);
  });

  it('accepts a form-encoded body with data as a JSON string', async () => {
    const form = new URLSearchParams({ data: JSON.stringify([validEvent()]), access_token: 'tok', test_event_code: 'T1' });
    const res = await fetch(`${url}/v24.0/1234567890/events`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events_received: 1 });
    expect(emulator.received()[0]).toMatchObject({ pixelId: '1234567890', testEventCode: 'T1' });
  });
});
