import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/** body-parser's own errors, named by their `type`. */
const BODY_ERRORS: Record<string, (e: { limit?: number }) => AppError> = {
  'entity.too.large': (e) => new AppError(413, 'body_too_large', `The body is larger than the ${e.limit ?? ''} byte limit`, { body: `must be at most ${e.limit ?? ''} bytes` }),
  'entity.parse.failed': () => new AppError(400, 'invalid_json', 'The body is not valid JSON', { body: 'is not valid JSON' }),
  'encoding.unsupported': () => new AppError(415, 'unsupported_encoding', 'Unsupported body encoding', { body: 'has an unsupported encoding' }),
  'charset.unsupported': () => new AppError(415, 'unsupported_charset', 'Unsupported body charset', { body: 'has an unsupported charset' }),
};

/** One error middleware: AppErrors become `{ code, message, errors }`; anything else a logged, generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const bodyError = typeof err?.type === 'string' ? BODY_ERRORS[err.type as string]?.(err as { limit?: number }) : undefined;
    const e = err instanceof AppError ? err : bodyError;
    if (e) {
      res.status(e.status).json({ code: e.code, message: e.message, ...(e.errors ? { errors: e.errors } : {}) });
      return;
    }
    logger.error({ err, reqId: res.getHeader('x-request-id'), method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};
