import type { RequestHandler } from 'express';

/**
 * Guards, weakest to strongest. Every route names one; a route without a guard cannot be
 * declared. `metrics` = the METRICS_TOKEN bearer; `viewer` = any signed-in dashboard user;
 * `admin` = signed-in admin.
 */
export type Guard = 'public' | 'apiKey' | 'metrics' | 'viewer' | 'admin';

export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
  path: string;
  guard: Guard;
  handlers: RequestHandler[];
}
