import { DIALECTS } from '../helpers/db';
import { startBus, type Bus } from '../helpers/harness';
import type { Route } from '../../server/src/http/routes';

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
/** A concrete URL for a route path: every `:param` becomes 1. */
const urlOf = (r: Route) => r.path.replace(/:[A-Za-z_]+/g, '1');
const label = (r: Route) => `${r.method.toUpperCase()} ${r.path} [${r.guard}]`;

describe.each(DIALECTS)('the route table on %s: every guarded route refuses strangers, every dashboard write refuses viewers', (dialect) => {
  let bus: Bus;
  let routes: Route[];
  beforeAll(async () => {
    bus = await startBus(dialect);
    routes = bus.app.routes;
  });
  afterAll(async () => bus.stop());

  const send = (agent: Bus['http'] | Awaited<ReturnType<Bus['login']>>, r: Route) => {
    const req = (agent as Bus['http'])[r.method](urlOf(r)).set('X-Requested-With', 'XMLHttpRequest');
    return WRITES.has(r.method) ? req.send({}) : req;
  };

  it('declares a guard on every route, and every dashboard route is under /admin/api', () => {
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) expect(['public', 'apiKey', 'metrics', 'viewer', 'admin']).toContain(r.guard);
    const dashboard = routes.filter((r) => r.guard === 'viewer' || r.guard === 'admin');
    for (const r of dashboard) expect(r.path.startsWith('/admin/api/')).toBe(true);
    // The only public dashboard routes are sign-in and sign-out.
    expect(routes.filter((r) => r.path.startsWith('/admin/') && r.guard === 'public').map(label)).toEqual([
      'POST /admin/api/auth/login [public]',
      'POST /admin/api/auth/logout [public]',
    ]);
  });

  it('every dashboard write is admin-only', () => {
    const writes = routes.filter((r) => r.path.startsWith('/admin/api/') && WRITES.has(r.method) && r.guard !== 'public');
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter((r) => r.guard !== 'admin').map(label)).toEqual([]);
  });

  it('answers 401 to an anonymous request on every non-public route', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.guard !== 'public')) {
      const res = await send(bus.http, r);
      if (res.status !== 401) failures.push(`${label(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to a viewer on every admin route (every write, and user management reads)', async () => {
    const viewer = await bus.login('viewer');
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.guard === 'admin')) {
      const res = await send(viewer, r);
      if (res.status !== 403 || res.body.code !== 'forbidden') failures.push(`${label(r)} → ${res.status} ${res.body.code}`);
    }
    expect(failures).toEqual([]);
    expect(await bus.testDb.db('api_keys').count({ n: '*' }).first()).toMatchObject({ n: 1 }); // only the harness key
  });

  it('lets a viewer read every viewer route (no 401/403)', async () => {
    const viewer = await bus.login('viewer');
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.guard === 'viewer')) {
      const res = await send(viewer, r);
      if (res.status === 401 || res.status === 403 || res.status >= 500) failures.push(`${label(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('lets an admin through every admin route guard (answers are 2xx or a 4xx about the input, never 401/403/5xx)', async () => {
    const admin = await bus.login('admin');
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.guard === 'admin' && x.method !== 'delete')) {
      const res = await send(admin, r);
      if ([401, 403].includes(res.status) || res.status >= 500) failures.push(`${label(r)} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
  });
});
