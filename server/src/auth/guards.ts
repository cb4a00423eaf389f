import type { RequestHandler } from 'express';
import type { ApiKeyService } from '../api-keys/service';
import { UnauthorizedError } from '../shared/errors';

/** `Authorization: Bearer <key>` for backend services. */
export function requireApiKey(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('An API key is required: Authorization: Bearer <key>');
    const apiKey = await keys.verify(match[1]!);
    if (!apiKey) throw new UnauthorizedError('The API key is unknown or revoked');
    res.locals.apiKeyId = apiKey.id;
    next();
  };
}
