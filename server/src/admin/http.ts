import type { z } from 'zod';
import { ValidationError } from '../shared/errors';
import { zodToValidation } from './list-query';

/** A `:id` path parameter: a positive whole number, else 400 naming `id`. */
export function parseId(raw: unknown): number {
  const s = typeof raw === 'string' ? raw : '';
  if (!/^[1-9]\d{0,15}$/.test(s)) throw new ValidationError('The id in the path must be a positive whole number', { id: 'must be a positive whole number' });
  return Number(s);
}

/**
 * Validates a JSON body with a strict schema. `readOnly` names fields of the resource's record
 * that react-admin sends back on edit; they are dropped before validation (never written).
 * `undefined` values are dropped too, so `{ password: undefined }` means "not given".
 */
export function parseBody<T>(body: unknown, schema: z.ZodType<T>, readOnly: readonly string[] = []): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object (Content-Type: application/json)', { body: 'must be a JSON object' });
  }
  const input = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== undefined && !readOnly.includes(k)));
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw zodToValidation(parsed.error, undefined, 'Invalid input');
  return parsed.data;
}
