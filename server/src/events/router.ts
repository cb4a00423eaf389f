import type { Request, RequestHandler } from 'express';
import { AppError } from '../shared/errors';
import type { IntakeContext, IntakeService } from './service';
import { MAX_EVENTS_PER_REQUEST } from './schemas';

export const BROWSER_MAX_EVENTS = 50;

function respond(service: IntakeService, ctxOf: (req: Request) => IntakeContext, bodyOf: (req: Request) => unknown): RequestHandler {
  return async (req, res) => {
    const outcome = await service.ingest(bodyOf(req), ctxOf(req));
    const status = outcome.accepted > 0 ? 202 : 400;
    res.status(status).json({
      ...(status === 400 ? { code: 'validation_failed', message: 'No event in the request was accepted; see errors by index' } : {}),
      accepted: outcome.accepted,
      rejected: outcome.rejected,
      data: outcome.data,
      errors: outcome.errors,
    });
  };
}

/** `POST /v1/events`: backend services, API key checked by the route's guard. */
export function serverIntake(service: IntakeService): RequestHandler {
  return respond(service, () => ({ source: 'server', maxEvents: MAX_EVENTS_PER_REQUEST }), (req) => req.body);
}

/**
 * `POST /v1/collect`: browsers. The body arrives as text (so `navigator.sendBeacon` with a
 * text/plain Blob works) and is parsed here; IP, user agent and Meta cookies fill user data gaps.
 */
export function browserIntake(service: IntakeService): RequestHandler {
  return respond(
    service,
    (req) => ({
      source: 'browser',
      maxEvents: BROWSER_MAX_EVENTS,
      ip: req.ip,
      userAgent: req.get('user-agent'),
      origin: req.get('origin'),
      cookies: { fbp: req.cookies?._fbp as string | undefined, fbc: req.cookies?._fbc as string | undefined },
    }),
    (req) => {
      if (typeof req.body !== 'string' || !req.body.trim()) throw new AppError(400, 'invalid_json', 'The body is empty', { body: 'is required' });
      try {
        return JSON.parse(req.body) as unknown;
      } catch {
        throw new AppError(400, 'invalid_json', 'The body is not valid JSON', { body: 'is not valid JSON' });
      }
    },
  );
}

/** CORS for browser intake: the Origin is reflected, the intake service checks it per pixel. */
export const collectCors: RequestHandler = (req, res, next) => {
  const origin = req.get('origin');
  if (origin) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
};
