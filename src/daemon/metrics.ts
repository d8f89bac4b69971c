// Prometheus metrics on the downlink server. Gauges are computed at scrape time from the live parts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  outbox(): Array<{ stream: string; backlog: number; oldest?: number; delivered: number; failed: number }>;
  devices(): Array<{ id: string; type: string; health: { status: string } }>;
  spaces(): Array<{ id: string; total: number; free: number; occupied: number }>;
}

export function createMetrics(src: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parkedge_' });
  const httpRequests = new Counter({
    name: 'parkedge_http_requests_total',
    help: 'HTTP requests answered, by server and status class',
    labelNames: ['server', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'parkedge_http_request_seconds',
    help: 'HTTP request duration',
    labelNames: ['server'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'parkedge_outbox_backlog',
    help: 'Reports waiting in the outbox, per cloud stream',
    labelNames: ['stream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of src.outbox()) this.set({ stream: s.stream }, s.backlog);
    },
  });
  new Gauge({
    name: 'parkedge_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered report, per stream',
    labelNames: ['stream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const s of src.outbox()) this.set({ stream: s.stream }, s.oldest ? (now - s.oldest) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'parkedge_outbox_delivered',
    help: 'Reports delivered since start, per stream',
    labelNames: ['stream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of src.outbox()) this.set({ stream: s.stream }, s.delivered);
    },
  });
  new Gauge({
    name: 'parkedge_device_up',
    help: '1 when the device is online',
    labelNames: ['device', 'type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of src.devices())
        this.set({ device: d.id, type: d.type }, d.health.status === 'online' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'parkedge_area_free_spaces',
    help: 'Free spaces per area',
    labelNames: ['area'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of src.spaces()) this.set({ area: a.id }, a.free);
    },
  });
  new Gauge({
    name: 'parkedge_area_cars_in',
    help: 'Cars in the lot per area',
    labelNames: ['area'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of src.spaces()) this.set({ area: a.id }, a.occupied);
    },
  });
  return { registry, httpRequests, httpDuration };
}
