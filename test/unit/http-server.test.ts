import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { createHttpServer, listen } from '../../server/src/http/server';

/** A small app that uses what the bus's routes use: JSON bodies, req.get/ip/app, res.locals, a router, a sub-app, errors. */
function sampleApp() {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.locals.seen = true;
    res.status(202).json({ body: req.body as unknown, ua: req.get('user-agent'), ip: req.ip, sameApp: req.app === app, locals: res.locals.seen as boolean });
  });
  const router = express.Router();
  router.get('/:id', (req, res) => void res.json({ id: req.params.id, path: req.baseUrl }));
  app.use('/items', router);
  const sub = express();
  sub.get('/ping', (req, res) => void res.type('text').send(`pong from ${req.app === sub ? 'sub' : 'parent'}`));
  app.use('/sub', sub);
  app.get('/after-sub', (req, res) => void res.json({ sameApp: req.app === app }));
  app.get('/boom', () => {
    throw Object.assign(new Error('nope'), { status: 418 });
  });
  app.use((err: Error & { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.message });
  });
  return app;
}

describe('createHttpServer: requests born with the app’s prototypes', () => {
  it('hands Express requests and responses that already have app.request / app.response as prototype', async () => {
    const seen = async (server: http.Server, app: express.Express) => {
      let atArrival: [boolean, boolean] | undefined;
      server.prependListener('request', (req, res) => {
        atArrival = [Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response];
      });
      await request(server).get('/items/1').expect(200);
      return atArrival;
    };
    const ours = sampleApp();
    expect(await seen(createHttpServer(ours), ours)).toEqual([true, true]);
    // What app.listen does: plain Node objects, whose prototypes Express then swaps per request.
    const plain = sampleApp();
    expect(await seen(http.createServer(plain), plain)).toEqual([false, false]);
  });

  it('keeps Express behaviour: bodies, headers, trust proxy, req.app, locals, routers, sub-apps, errors', async () => {
    const server = createHttpServer(sampleApp());
    const echoed = await request(server).post('/echo').set('User-Agent', 'jest-agent').set('X-Forwarded-For', '198.51.100.4').send({ a: 1 }).expect(202);
    expect(echoed.body).toEqual({ body: { a: 1 }, ua: 'jest-agent', ip: '198.51.100.4', sameApp: true, locals: true });
    expect((await request(server).get('/items/42').expect(200)).body).toEqual({ id: '42', path: '/items' });
    expect((await request(server).get('/sub/ping').expect(200)).text).toBe('pong from sub');
    // Leaving a sub-app restores the parent's prototypes, which are this server's.
    expect((await request(server).get('/after-sub').expect(200)).body).toEqual({ sameApp: true });
    expect((await request(server).get('/boom').expect(418)).body).toEqual({ error: 'nope' });
    expect((await request(server).get('/nothing-here').expect(404)).text).toContain('Cannot GET /nothing-here');
  });

  it('listen resolves with the listening server, and rejects with the reason when the port is taken', async () => {
    const first = await listen(sampleApp(), 0, '127.0.0.1');
    try {
      const { port } = first.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/items/7`)).status).toBe(200);
      await expect(listen(sampleApp(), port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => first.close(resolve));
    }
  });
});
