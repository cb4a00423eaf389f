import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { FacebookAdsApi } from 'facebook-nodejs-business-sdk';
import type { GraphResponse } from './meta-errors';

/**
 * The SDK's HttpServiceInterface, ours: sends the request the SDK built to GRAPH_API_URL
 * (Meta in production, the emulator elsewhere) over keep-alive connections with a timeout,
 * and never throws: every outcome comes back as a GraphResponse for classification.
 */
export class GraphHttpService {
  private readonly agent: Agent | HttpsAgent;
  /** Per-request timeout; the deliverer keeps it in line with the settings (Meta suggests 1.5 s). */
  timeoutMs = 1_500;
  constructor(private readonly baseUrl: string) {
    const opts = { keepAlive: true, maxSockets: 32, keepAliveMsecs: 10_000 };
    this.agent = baseUrl.startsWith('https:') ? new HttpsAgent(opts) : new Agent(opts);
  }

  /** Rewrites the SDK's URL (built from FacebookAdsApi.GRAPH) onto our base URL. */
  rewrite(url: string): string {
    return url.startsWith(FacebookAdsApi.GRAPH) ? this.baseUrl + url.slice(FacebookAdsApi.GRAPH.length) : url;
  }

  executeRequest(url: string, method: string, headers: Record<string, string>, params: Record<string, unknown>): Promise<GraphResponse> {
    const started = performance.now();
    const target = new URL(this.rewrite(url));
    // Encoded once: its length is the Content-Length, and the socket takes the bytes as they are.
    const body = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null && v !== undefined))));
    const timeout = this.timeoutMs;
    const mod = target.protocol === 'https:' ? require('node:https') : require('node:http');
    return new Promise((resolve) => {
      const done = (r: Omit<GraphResponse, 'durationMs'>) => resolve({ ...r, durationMs: Math.round(performance.now() - started) });
      const req = mod.request(
        target,
        { method, agent: this.agent, headers: { ...headers, 'Content-Length': body.length } },
        (res: import('node:http').IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = null; // a non-JSON body (an HTML 502 page) is classified by its status
            }
            done({ httpStatus: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', (e: Error) => done({ httpStatus: null, body: null, networkError: `response error: ${e.message}` }));
        },
      );
      req.setTimeout(timeout, () => req.destroy(new Error(`timed out after ${timeout} ms`)));
      req.on('error', (e: Error) => done({ httpStatus: null, body: null, networkError: e.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

let sdkPrepared = false;
/**
 * `new EventRequest` calls `FacebookAdsApi.init(token)` with crash reporting on, which installs a
 * process-wide uncaughtException handler that swallows crashes and sends the token to Graph.
 * Replace init with one that never enables it, before any EventRequest is built.
 */
export function prepareSdk(): void {
  if (sdkPrepared) return;
  sdkPrepared = true;
  const Api = FacebookAdsApi as unknown as { new (token: string, locale: string, crashLog: boolean): unknown; init: (token: string) => unknown };
  Api.init = (token: string) => new Api(token, 'en_US', false);
}
