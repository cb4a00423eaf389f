import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/** Where the dashboard lives; the admin REST API sits under it at `/admin/api`. */
export const ADMIN_UI_BASE = '/admin';
const API_PREFIX = `${ADMIN_UI_BASE}/api`;

/** `admin-ui/dist` of this checkout (what `npm run build:admin` writes). */
export const DEFAULT_ADMIN_UI_DIST = path.resolve(__dirname, '../../../admin-ui/dist');

const isApi = (p: string) => p === API_PREFIX || p.startsWith(`${API_PREFIX}/`);
/** A path whose last segment has a dot names a file (`/admin/assets/x.js`, `/admin/favicon.ico`), not a client route. */
const looksLikeFile = (p: string) => /\.[^/]*$/.test(p);

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dashboard not built</title>
<p>The dashboard has not been built on this server. Run <code>npm run build:admin</code> and reload this page.</p>`;

/**
 * Serves the built SPA (admin-ui/dist) under `/admin/`:
 * - hashed assets under `/admin/assets/` with a one-year immutable cache, a plain 404 when missing;
 * - `index.html` (never cached, so a deploy shows at the next load) for `/admin/` and every client
 *   route below it (`/admin/events/12/show`…), so reloading or sharing a link works;
 * - never anything for `/admin/api` and below, nor for methods other than GET/HEAD: those go on
 *   to the API routes and their JSON 404.
 *
 * Mount it once at the app's root, before the final 404 handler: `app.use(serveAdminSpa(dir))`.
 * The app's security headers (helmet's CSP: scripts from 'self' only) apply to the SPA as well.
 */
export function serveAdminSpa(distDir: string = DEFAULT_ADMIN_UI_DIST): Router {
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  const router = express.Router();

  /** Only GET/HEAD outside the API; everything else leaves this router untouched. */
  const onlyReads: RequestHandler = (req, res, next) => {
    const p = req.originalUrl.split('?')[0] ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(p)) return next('router');
    if (p === ADMIN_UI_BASE) {
      const q = req.originalUrl.indexOf('?');
      return res.redirect(301, `${ADMIN_UI_BASE}/${q >= 0 ? req.originalUrl.slice(q) : ''}`);
    }
    next();
  };
  const notFound: RequestHandler = (_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  };

  router.use(ADMIN_UI_BASE, onlyReads);
  router.use(`${ADMIN_UI_BASE}/assets`, express.static(path.join(root, 'assets'), { index: false, redirect: false, immutable: true, maxAge: '1y' }), notFound);
  router.use(ADMIN_UI_BASE, (req, res, next) => {
    if (looksLikeFile(req.path) && req.path !== '/index.html') {
      // Other top-level files of the build (robots.txt…), else a plain 404: never index.html for a file.
      const file = path.join(root, req.path);
      if (!file.startsWith(`${root}${path.sep}`)) return notFound(req, res, next);
      return res.sendFile(file, { maxAge: '1h', dotfiles: 'ignore' }, (err) => {
        if (err && !res.headersSent) notFound(req, res, next);
      });
    }
    fs.access(indexFile, fs.constants.R_OK, (missing) => {
      if (missing) {
        res.status(503).setHeader('Cache-Control', 'no-store');
        res.type('html').send(NOT_BUILT);
        return;
      }
      res.sendFile(indexFile, { headers: { 'Cache-Control': 'no-cache' } }, (err) => {
        if (err && !res.headersSent) next(err);
      });
    });
  });

  return router;
}
