import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CLAIMABLE, WAITING } from '../events/vocabulary';

/** Prometheus metrics of one process. Queue gauges are read from the database at scrape time. */
export function createMetrics(queue?: () => Promise<{ depth: Record<string, number>; oldestDueAgeS: Record<string, number>; pausedPixels: number }>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mcb_' });
  const m = {
    registry,
    intake: new Counter({
      name: 'mcb_events_intake_total',
      help: 'Events received at intake by source, event name and result (queued, skipped, duplicate, rejected)',
      labelNames: ['source', 'event_name', 'result'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'mcb_deliveries_total',
      help: 'Events per delivery outcome and Meta error code ("" when none)',
      labelNames: ['outcome', 'code'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'mcb_delivery_latency_seconds',
      help: 'Time from acceptance to confirmed delivery',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800, 3600, 21600, 86400],
      registers: [registry],
    }),
    graphRequest: new Histogram({
      name: 'mcb_graph_request_seconds',
      help: 'Duration of Conversions API requests by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 3, 10],
      registers: [registry],
    }),
    http: new Histogram({
      name: 'mcb_http_request_duration_seconds',
      help: 'HTTP request durations by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
  if (queue) {
    let pending: ReturnType<typeof queue> | undefined;
    // The three gauges are collected together in one scrape: they share one read.
    const read = () => (pending ??= queue().finally(() => (pending = undefined)));
    new Gauge({
      name: 'mcb_queue_depth',
      help: 'Events waiting for delivery, by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const { depth } = await read();
        for (const s of CLAIMABLE) this.set({ status: s }, depth[s] ?? 0);
      },
    });
    new Gauge({
      name: 'mcb_queue_oldest_due_age_seconds',
      help: 'How long the oldest due event has been waiting past its due time, by status (0 when none)',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const { oldestDueAgeS } = await read();
        for (const s of WAITING) this.set({ status: s }, oldestDueAgeS[s] ?? 0);
      },
    });
    new Gauge({
      name: 'mcb_pixels_paused',
      help: 'Pixels paused because Meta rejected their access token',
      registers: [registry],
      async collect() {
        this.set((await read()).pausedPixels);
      },
    });
  }
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
