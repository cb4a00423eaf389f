import type { Request, Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '../shared/errors';

/**
 * react-admin's simple REST dialect for lists: `sort=["field","ASC"]`, `range=[0,24]`,
 * `filter={"status":"failed"}` as JSON query parameters, answered with a JSON array and
 * `Content-Range: <resource> <start>-<end>/<total>`.
 *
 * Nothing from the query string reaches SQL unchecked: the sort field must be in the resource's
 * allow-list (which maps it to a column), the order is ASC or DESC, the range is two small
 * integers, and the filter is parsed by a strict zod schema whose values are bound parameters.
 */

export type SortOrder = 'asc' | 'desc';
export interface Sort {
  /** The allow-listed API field. */
  field: string;
  order: SortOrder;
}
export interface Range {
  start: number;
  end: number;
}
export interface ListQuery<F> {
  sort: Sort;
  range: Range;
  filter: F;
}
export interface Page<T> {
  rows: T[];
  total: number;
}

export interface ListSpec<F> {
  /** Sortable API fields. */
  sortable: readonly string[];
  defaultSort: Sort;
  /** A strict object schema: unknown keys are refused. */
  filter: z.ZodType<F>;
}

export const MAX_PAGE = 1000;
const DEFAULT_RANGE: Range = { start: 0, end: 24 };
/** When a list is asked by ids only (react-admin getMany sends no range), return them all. */
const IDS_RANGE: Range = { start: 0, end: MAX_PAGE - 1 };

const show = (v: string) => (v.length > 64 ? `${v.slice(0, 64)}…` : v);

function single(query: Request['query'], name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ValidationError(`Invalid ${name}: give it once, as JSON`, { [name]: 'must be given once, as a JSON value' });
  return v;
}

function json(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationError(`Invalid ${name}: not valid JSON`, { [name]: 'is not valid JSON' });
  }
}

export function parseSort(raw: string | undefined, spec: Pick<ListSpec<unknown>, 'sortable' | 'defaultSort'>): Sort {
  if (raw === undefined || raw === '') return spec.defaultSort;
  const v = json('sort', raw);
  const shape = 'must be a JSON array ["field","ASC"|"DESC"]';
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') throw new ValidationError(`Invalid sort: ${shape}`, { sort: shape });
  const [field, order] = v as [string, string];
  if (!spec.sortable.includes(field)) {
    const message = `unknown field ${show(field)} (sortable: ${spec.sortable.join(', ')})`;
    throw new ValidationError(`Invalid sort: ${message}`, { sort: message });
  }
  const o = order.toUpperCase();
  if (o !== 'ASC' && o !== 'DESC') throw new ValidationError('Invalid sort: the order must be ASC or DESC', { sort: 'order must be ASC or DESC' });
  return { field, order: o === 'ASC' ? 'asc' : 'desc' };
}

export function parseRange(raw: string | undefined, fallback: Range = DEFAULT_RANGE): Range {
  if (raw === undefined || raw === '') return fallback;
  const v = json('range', raw);
  const shape = 'must be a JSON array [start, end] of whole numbers, 0 ≤ start ≤ end';
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) || (v[0] as number) > (v[1] as number)) {
    throw new ValidationError(`Invalid range: ${shape}`, { range: shape });
  }
  const [start, end] = v as [number, number];
  if (end - start + 1 > MAX_PAGE) throw new ValidationError(`Invalid range: at most ${MAX_PAGE} records per page`, { range: `must span at most ${MAX_PAGE} records` });
  return { start, end };
}

export function parseFilter<F>(raw: string | undefined, schema: z.ZodType<F>): F {
  const v = raw === undefined || raw === '' ? {} : json('filter', raw);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError('Invalid filter: must be a JSON object', { filter: 'must be a JSON object' });
  const parsed = schema.safeParse(v);
  if (parsed.success) return parsed.data;
  throw zodToValidation(parsed.error, 'filter', 'Invalid filter');
}

/** Parses `sort`, `range` and `filter` of a list request against the resource's allow-lists. */
export function parseListQuery<F>(query: Request['query'], spec: ListSpec<F>): ListQuery<F> {
  const filter = parseFilter(single(query, 'filter'), spec.filter);
  const byIds = filter !== null && typeof filter === 'object' && 'id' in filter && (filter as { id?: unknown }).id !== undefined;
  return {
    sort: parseSort(single(query, 'sort'), spec),
    range: parseRange(single(query, 'range'), byIds ? IDS_RANGE : DEFAULT_RANGE),
    filter,
  };
}

/** The list answer: the records, and `Content-Range` (exposed to CORS readers) carrying the total. */
export function sendList(res: Response, resource: string, range: Range, page: Page<unknown>): void {
  const end = range.start + page.rows.length - 1;
  res.setHeader('Content-Range', page.rows.length ? `${resource} ${range.start}-${end}/${page.total}` : `${resource} */${page.total}`);
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range');
  res.json(page.rows);
}

/** zod issues → `{ message, errors: { "<prefix>.<path>": rule } }`; unknown keys → `{ <prefix>: "unknown field x" }`. */
export function zodToValidation(error: z.ZodError, prefix: string | undefined, title: string): ValidationError {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      // In a query parameter the parameter is named (`filter: unknown field foo`); in a body, each field.
      if (prefix) errors[parent] ??= `unknown field ${issue.keys.map(show).join(', ')}`;
      else for (const key of issue.keys) errors[[parent, show(key)].filter(Boolean).join('.')] ??= 'is not a recognised field';
      continue;
    }
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body');
    errors[field] ??= issue.message;
  }
  const [first] = Object.entries(errors);
  return new ValidationError(first ? `${title}: ${first[0]} ${first[1]}` : title, errors);
}

// ---- filter value helpers -------------------------------------------------------------

const positiveId = z.number({ error: 'must be a positive whole number' }).int('must be a positive whole number').positive('must be a positive whole number');

/** One id or an array of ids (react-admin getMany sends `{"id":[1,2,3]}`). */
export const idFilter = z.union([positiveId, z.array(positiveId, { error: 'must be an id or an array of ids' }).max(MAX_PAGE, `must list at most ${MAX_PAGE} ids`)], {
  error: 'must be an id or an array of ids',
});

/** One value or an array of values. */
export function oneOrMany<T extends z.ZodType>(item: T, what: string) {
  return z.union([item, z.array(item).min(1, `must list at least one ${what}`).max(100, `must list at most 100 ${what}s`)], { error: `must be a ${what} or an array of them` });
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/**
 * A point in time as epoch milliseconds or an ISO 8601 string. A date alone (`2026-11-21`, what
 * react-admin's DateInput sends) means the start of that day (UTC), or its end for an upper bound.
 */
export function timestamp(bound: 'from' | 'until') {
  return z.union([z.number().int().min(0), z.string().max(40)], { error: 'must be epoch milliseconds or an ISO 8601 date' }).transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const ms = Date.parse(DATE_ONLY.test(v) ? `${v}T00:00:00.000Z` : v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 date' });
      return z.NEVER;
    }
    return DATE_ONLY.test(v) && bound === 'until' ? ms + 86_400_000 - 1 : ms;
  });
}

export const booleanFilter = z.boolean({ error: 'must be true or false' });

/** LIKE pattern for a user-supplied fragment, with `!` as the escape character. */
export function likeEscape(s: string): string {
  return s.replace(/[!%_]/g, '!$&');
}

/** Normalizes one-or-many to an array. */
export const many = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
