// KT reports that describe a state rather than an event: the lot and its areas (daily), devices (at start,
// then on change), free spaces (on change, coalesced, and periodically), and the first full card upload.
// Only the latest value of each matters, so they bypass the outbox: a per-key "latest wins" queue that
// retries until the cloud says resCode 0.
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { ComponentHealth, Extension, FaceContext } from '../../daemon/face.js';
import type { KtConfig } from '../../config/clouds.schema.js';
import type { DomainEvent } from '../../site/events.js';
import { deviceIp } from '../../downlink/kt/common.js';
import type { KtClient } from './client.js';
import {
  areaInfo,
  carCard,
  deviceState,
  freeSpace,
  parkingDevice,
  parkingInfo,
  type KtReportContext,
} from './reports.js';
import { KT_STREAM } from './sender.js';

const KT_DEVICE_TYPE: Record<string, number> = {
  'modbus-relay': 4,
  'camera-relay': 4,
  zhenshi: 2,
  hikvision: 2,
  onvif: 2,
  'fk-led': 3,
};

type Lazy = () => unknown | undefined;

/** Latest-wins report queue: one pending report per key; a newer value replaces an older one not yet sent. */
export class LatestQueue {
  private readonly pending = new Map<string, { name: string; data: Lazy }>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private backoff: number;
  lastError?: string;
  lastOkAt?: number;

  constructor(
    private readonly client: KtClient,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly minBackoff = 1000,
    private readonly maxBackoff = 60_000,
  ) {
    this.backoff = minBackoff;
  }

  get size(): number {
    return this.pending.size;
  }

  put(key: string, name: string, data: Lazy): void {
    if (this.stopped) return;
    this.pending.set(key, { name, data });
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref?.();
  }

  private async flush(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let failed = false;
    try {
      for (const [key, item] of [...this.pending]) {
        if (this.stopped) break;
        const data = item.data();
        try {
          if (data !== undefined) await this.client.post(item.name, data);
          if (this.pending.get(key) === item) this.pending.delete(key);
          this.lastOkAt = this.now();
          this.lastError = undefined;
        } catch (e) {
          failed = true;
          this.lastError = (e as Error).message;
          this.log.warn(
            { report: item.name, key, err: this.lastError },
            'KT report not delivered, will retry',
          );
          break;
        }
      }
    } finally {
      this.running = false;
    }
    if (failed) {
      this.schedule(this.backoff);
      this.backoff = Math.min(this.maxBackoff, this.backoff * 2);
    } else {
      this.backoff = this.minBackoff;
      if (this.pending.size) this.schedule(0);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + 3000;
    while (this.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

export interface KtReporterOptions {
  ctx: FaceContext;
  kt: KtConfig;
  client: KtClient;
  report: KtReportContext;
  /** coalescing window for free-space changes */
  freeSpaceDebounceMs?: number;
  /** retry backoff bounds (tests shorten them) */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class KtReporter implements Extension {
  readonly name = 'kt-reports';
  private readonly log: Logger;
  private readonly queue: LatestQueue;
  private cron?: ScheduledTask;
  private freeTimer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private cardSync?: Promise<void>;
  private stopped = false;
  private wakeSleep?: () => void;
  private readonly onEvent = (e: DomainEvent) => this.event(e);
  private readonly onHealth = (h: { id: string; health?: { status: string; reason?: string } }) =>
    this.deviceChanged(h);

  constructor(private readonly o: KtReporterOptions) {
    this.log = o.ctx.logger.child({ component: 'kt-uplink' });
    this.queue = new LatestQueue(o.client, this.log, o.ctx.now, o.minBackoffMs, o.maxBackoffMs);
  }

  async start(): Promise<void> {
    const { ctx, kt, report } = this.o;
    const site = ctx.site;
    this.stopped = false;
    site.bus.on('event', this.onEvent);
    this.daily();
    if (validate(kt.dailyCron)) {
      this.cron = schedule(kt.dailyCron, () => this.daily(), {
        timezone: ctx.config.site.timezone,
        name: 'kt-daily',
        noOverlap: true,
      });
    } else {
      this.log.error({ cron: kt.dailyCron }, 'invalid kt.dailyCron; daily KT reports only at start');
    }
    // PostParkingDevice and a full PostDeviceState at start
    for (const d of ctx.config.devices) {
      this.queue.put(`pdev:${d.id}`, 'PostParkingDevice', () =>
        parkingDevice(report, {
          id: d.id,
          name: d.name,
          ip: deviceIp(d),
          ktDeviceType: KT_DEVICE_TYPE[d.type] ?? 1,
        }),
      );
    }
    const table = ctx.devices?.healthTable();
    if (table) {
      for (const row of table)
        this.queue.put(`dev:${row.id}`, 'PostDeviceState', () =>
          deviceState(report, {
            id: row.id,
            ktDeviceType: row.ktDeviceType,
            status: row.health.status,
            reason: row.health.reason,
          }),
        );
    } else {
      const known = new Map(site.deviceStates().map((s) => [s.id, s]));
      for (const d of ctx.config.devices) {
        const s = known.get(d.id);
        this.queue.put(`dev:${d.id}`, 'PostDeviceState', () =>
          deviceState(report, {
            id: d.id,
            ktDeviceType: KT_DEVICE_TYPE[d.type] ?? 1,
            status: s?.status ?? 'offline',
            reason: s?.reason ?? (s ? undefined : 'not started'),
          }),
        );
      }
    }
    ctx.devices?.events.on('health', this.onHealth);
    this.freeSpaces();
    this.freeTimer = setInterval(() => this.freeSpaces(), kt.freeSpaceEverySec * 1000);
    this.freeTimer.unref?.();
    this.cardSync = this.syncCards();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleep?.();
    this.o.ctx.site.bus.off('event', this.onEvent);
    this.o.ctx.devices?.events.off('health', this.onHealth);
    await this.cron?.destroy();
    if (this.freeTimer) clearInterval(this.freeTimer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.queue.stop();
    await this.cardSync;
  }

  health(): ComponentHealth {
    return {
      status: this.queue.lastError ? 'degraded' : 'ok',
      detail: { pending: this.queue.size, lastError: this.queue.lastError, lastOkAt: this.queue.lastOkAt },
    };
  }

  private daily(): void {
    const { report, ctx } = this.o;
    this.queue.put('park', 'PostParkingInfo', () => parkingInfo(report, ctx.site.spaces()));
    this.queue.put('area', 'PostAreaInfo', () => areaInfo(report, ctx.site.spaces()));
  }

  private freeSpaces(): void {
    const { report, ctx } = this.o;
    this.queue.put('free', 'PostFreeParkingSpace', () => freeSpace(report, ctx.site.spaces()));
  }

  private event(e: DomainEvent): void {
    if (e.type === 'spaces.changed') {
      // a burst of entries and exits becomes one report with the counts at send time
      if (!this.debounce) {
        this.debounce = setTimeout(() => {
          this.debounce = undefined;
          this.freeSpaces();
        }, this.o.freeSpaceDebounceMs ?? 1000);
        this.debounce.unref?.();
      }
    } else if (e.type === 'device.state') {
      this.queue.put(`dev:${e.id}`, 'PostDeviceState', () =>
        deviceState(this.o.report, {
          id: e.id,
          ktDeviceType: e.ktDeviceType,
          status: e.status,
          reason: e.reason,
        }),
      );
    }
  }

  /** The device manager's own transition event, for daemons that do not turn health into site events. */
  private deviceChanged(h: { id: string; health?: { status: string; reason?: string } }): void {
    const cfg = this.o.ctx.config.devices.find((d) => d.id === h.id);
    if (!cfg || !h.health) return;
    const health = h.health;
    this.queue.put(`dev:${h.id}`, 'PostDeviceState', () =>
      deviceState(this.o.report, {
        id: h.id,
        ktDeviceType: KT_DEVICE_TYPE[cfg.type] ?? 1,
        status: health.status,
        reason: health.reason,
      }),
    );
  }

  /** PostCarCard: the first start uploads every card; later changes ride the outbox. */
  private async syncCards(): Promise<void> {
    const { ctx, client, report } = this.o;
    const state = ctx.site.cloudState(KT_STREAM);
    if (state.get('cards-synced')) return;
    let backoff = this.o.minBackoffMs ?? 1000;
    let page = 1;
    const pageSize = 200;
    while (!this.stopped) {
      try {
        const r = ctx.site.listCards({ page, pageSize });
        for (const h of r.rows) {
          if (this.stopped) return;
          await client.post('PostCarCard', carCard(report, h));
        }
        if (r.rows.length < pageSize) {
          state.set('cards-synced', String(ctx.now()));
          return;
        }
        page++;
        backoff = this.o.minBackoffMs ?? 1000;
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'KT card upload paused, will retry');
        await new Promise<void>((r) => {
          const t = setTimeout(r, backoff);
          this.wakeSleep = () => {
            clearTimeout(t);
            r();
          };
        });
        backoff = Math.min(this.o.maxBackoffMs ?? 60_000, backoff * 2);
      }
    }
  }
}
